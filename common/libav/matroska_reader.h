// Reads a Matroska file's video track through libavformat: what the track is (codec, hvcC
// CodecPrivate, Dolby Vision configuration, frame rate) and its packets in file order. Generic on
// purpose: the RPU tools read packets with it, and the lossless pipeline demuxes with it before
// rewriting packets and muxing them again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dovi/config_record.h"
#include "common/libav/av_handles.h"

namespace mkvfleet::libav {

// A rational as libav keeps them (frame rates, time bases). {0, 1} when unknown.
struct Rational {
  int num = 0;
  int den = 1;
  double value() const { return den == 0 ? 0.0 : static_cast<double>(num) / den; }
  bool operator==(const Rational&) const = default;
};

// The first video track of a file, as its header describes it.
struct VideoTrackInfo {
  int stream_index = -1;   // libav stream index (not the Matroska track number)
  std::string codec_name;  // libav name: "hevc", "h264", ...
  bool is_hevc = false;
  int width = 0;
  int height = 0;
  std::vector<uint8_t> codec_private;          // CodecPrivate / extradata: the hvcC record for HEVC
  std::optional<dovi::DoviConfigRecord> dovi;  // BlockAdditionMapping dvcC/dvvC, when present
  Rational frame_rate;                         // average frame rate (from the default duration)
  Rational time_base;                          // of packet pts/dts
};

// An open Matroska file. Not thread-safe; one reader per thread.
class MatroskaReader {
 public:
  // Opens `path` and reads its header (no packets). The format is detected by content, not by
  // extension. Errors, each naming the file: NotFound (no such file), PermissionDenied,
  // InvalidArgument (not a Matroska/WebM file, or unreadable header), FailedPrecondition (no
  // video track).
  static absl::StatusOr<std::unique_ptr<MatroskaReader>> Open(const std::string& path);

  const std::string& path() const { return path_; }
  const VideoTrackInfo& video() const { return video_; }
  // The demuxer itself, for callers that need every stream (remuxing). Owned by the reader.
  AVFormatContext* format_context() const { return ctx_.get(); }

  // Reads the next packet of the video track in file (decode) order into `pkt` (unreferenced
  // first). Returns true with a packet, false at end of file. For HEVC the data is length-prefixed
  // NAL units as the hvcC says. Errors: DataLoss naming the file and libav's reason.
  absl::StatusOr<bool> ReadVideoPacket(AVPacket& pkt);
  // Same for a packet of any stream (check pkt.stream_index).
  absl::StatusOr<bool> ReadPacket(AVPacket& pkt);

 private:
  MatroskaReader() = default;

  std::string path_;
  InputContextPtr ctx_;
  VideoTrackInfo video_;
};

// Silences libav's own logging below errors-that-we-report, so a command prints one line of its
// own instead of libav's. Call once at program start; affects the whole process.
void QuietLibavLogging();

}  // namespace mkvfleet::libav
