// One streaming pass from a source Matroska file to a new one through libavformat: every audio,
// subtitle and attachment stream copied untouched with its language, name, default/forced flags
// and tags; chapters and global tags kept; the video track supplied by a VideoTrackInput (the
// source's packets rewritten, or an encoder's output on the source's timestamps) with its Dolby
// Vision configuration record replaced as asked. Nothing but the output file is written.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/dovi/config_record.h"
#include "common/libav/video_track_input.h"

namespace mkvfleet::libav {

struct RemuxRequest {
  std::string source_path;
  std::string output_path;  // created or truncated; removed again when the remux fails
  VideoTrackInput* video = nullptr;  // REQUIRES: non-null; borrowed
  // The output video track's Dolby Vision configuration record; nullopt writes none.
  std::optional<dovi::DoviConfigRecord> video_dovi;
  // Called after each source video packet with the number read so far (the caller throttles).
  std::function<void(int64_t video_packets_read)> on_progress;
  // Checked for every packet; when set the remux stops with Cancelled and removes the output.
  const std::atomic<bool>* cancel = nullptr;
};

// What was read and written.
struct RemuxStats {
  int64_t source_video_packets = 0;
  int64_t output_video_packets = 0;
  int64_t other_packets = 0;      // audio, subtitles, ... copied
  int64_t output_bytes = 0;       // size of the finished file
};

// Runs the pass. Errors (the output removed in every case): those of MatroskaReader::Open for the
// source (NotFound, PermissionDenied, InvalidArgument, FailedPrecondition: no video track);
// DataLoss for a source that cannot be read to the end (truncated, corrupt), naming it; the video
// input's errors; Internal for output errors (naming the output and libav's reason); Cancelled.
absl::StatusOr<RemuxStats> Remux(const RemuxRequest& request);

}  // namespace mkvfleet::libav
