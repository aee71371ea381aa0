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

// How the decoded picture reaches x265: the y4m pixel format ffmpeg writes and x265's output
// depth. HDR (PQ/HLG) and Dolby Vision sources are 10-bit; SDR keeps the source's depth (10-bit if
// the source has more than 8 bits, else 8).
struct PictureFormat {
  int output_depth = 10;
  std::string pix_fmt;  // yuv420p10le or yuv420p
};
PictureFormat ChoosePictureFormat(const media::MediaInfo& source, bool dolby_vision);

// ffmpeg's global options of every decode: no stdin, no banner, errors only.
Argv DecoderGlobalArgs();
// ffmpeg's options between `-i SOURCE` and the output "-": the first video stream, one y4m frame
// per decoded frame (no duplicates or drops), `pix_fmt`, y4m on stdout.
Argv DecoderOutputArgs(const std::string& pix_fmt);

// VBV of an encode (kbit/s and kbit); both 0 when there is none.
struct VbvKbps {
  int maxrate = 0;
  int bufsize = 0;
  bool enabled() const { return maxrate > 0 && bufsize > 0; }
};
// The profile's VBV; with Dolby Vision (x265 refuses it without VBV) an unset maxrate becomes
// kDvVbvKbpsUhd / kDvVbvKbpsHd by width and an unset bufsize the maxrate. {0, 0} when the result
// is not a complete pair.
VbvKbps ChooseVbv(const media::MediaInfo& source, const EncodeProfile& profile, bool dolby_vision);

// The x265 options that describe the picture and its quality, from the source and the profile:
// --preset --crf --output-depth --profile --range, the colour description x265 knows, and for
// HDR the mastering display, content light level and (PQ or Dolby Vision) --hdr10 --hdr10-opt.
// Not included: input, output, frame count, Dolby Vision, VBV and the profile's extra arguments.
// Errors: InvalidArgument when the mastering display text cannot be read.
absl::StatusOr<Argv> X265PictureArgs(const media::MediaInfo& source, const EncodeProfile& profile,
                                     bool dolby_vision);

// The x265 options every chunk of a chunked encode shares: X265PictureArgs then the profile's
// extra arguments; exactly what BuildEncodeCommands passes minus input, output, frame count,
// Dolby Vision and VBV (which the chunk manifest holds apart). Errors: X265PictureArgs'.
absl::StatusOr<Argv> X265CommonArgs(const media::MediaInfo& source, const EncodeProfile& profile,
                                    bool dolby_vision);

// Builds the commands, composed of the functions above:
//   decode: ffmpeg DecoderGlobalArgs -i SOURCE DecoderOutputArgs -
//   encode: x265 --input - --y4m --frames N X265PictureArgs [--dolby-vision-profile 8.1
//           --dolby-vision-rpu RPU] [--vbv-maxrate M --vbv-bufsize B] extra_args --output OUT
// HDR (PQ/HLG) and Dolby Vision sources are encoded 10-bit with --hdr10
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
