// The two command lines of a re-encode, built purely from the probed source and a named profile:
// ffmpeg decoding the source's video (the base layer only, for a dual-layer Dolby Vision track:
// libavcodec ignores NAL types 62/63) to y4m on stdout, and x265 reading that y4m from stdin and
// writing an HEVC elementary stream with the source's colour description and HDR10 static
// metadata, plus Dolby Vision 8.1 RPUs when asked.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/encode/encode_profile.h"
#include "agent/media/media_info.h"

namespace mkvfleet::agent::encode {

using Argv = std::vector<std::string>;

// Automatic VBV for Dolby Vision when the profile sets none (kbit/s; buffer the same in kbit).
inline constexpr int kDvVbvKbpsUhd = 80000;  // wider than 1920: fits level 5.1 high tier
inline constexpr int kDvVbvKbpsHd = 40000;   // up to 1920 wide: fits level 4.1 high tier

// What one encode is asked to do.
struct EncodeJob {
  std::string ffmpeg = "ffmpeg";  // programs (paths or bare names)
  std::string x265 = "x265";
  std::string source_path;
  std::string output_hevc;  // x265 --output
  std::string rpu_path;     // "" = no Dolby Vision; else --dolby-vision-profile 8.1 with it
};

// Both command lines plus what they decided.
struct EncodeCommands {
  Argv decode;          // ffmpeg ... -f yuv4mpegpipe -
  Argv encode;          // x265 --input - --y4m ...
  int output_depth = 10;
  std::string pix_fmt;  // what ffmpeg hands x265: yuv420p10le or yuv420p
};

// Builds the commands. HDR (PQ/HLG) and Dolby Vision sources are encoded 10-bit with --hdr10
// --hdr10-opt (PQ only), the mastering display and content light level of the source; SDR keeps
// the source's depth (10-bit if the source has more than 8 bits, else 8) and BT.709 or whatever
// colour description it has. Errors: InvalidArgument when the source has no video size or frame
// count, or its mastering display text cannot be read.
absl::StatusOr<EncodeCommands> BuildEncodeCommands(const media::MediaInfo& source,
                                                   const EncodeProfile& profile,
                                                   const EncodeJob& job);

// x265's --master-display value from MediaInfo's mastering text (ffprobe's fractions):
// "R(34000/50000,16000/50000) G(..) B(..) WP(..) L(10000000/10000,1/10000)" ->
// "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)" (chromaticities in
// 0.00002 units, luminance in 0.0001 cd/m2). Errors: InvalidArgument naming the part it could
// not read.
absl::StatusOr<std::string> MasterDisplayArg(const std::string& mastering_text);

// True for PQ or HLG transfer.
bool IsHdrTransfer(const std::string& color_transfer);

}  // namespace mkvfleet::agent::encode
