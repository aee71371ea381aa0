// The direct lossless path: a Matroska file rewritten at the EBML level, element by element.
// Everything is copied as stored (EBML header, Info, Tracks, Chapters, Attachments, Tags, every
// audio and subtitle block, Voids) except: the video track's frames (a FrameRewriter's output),
// its Dolby Vision configuration record (replaced in place), the video statistics tags, the
// positions the Cues and SeekHeads store, and the CRC-32 elements leading the level-1 elements it
// edits (restated; ffmpeg writes one in each). No demuxing, no re-muxing, no per-packet allocation
// in libav: one read and one write of each byte. Whatever layout it does not handle it refuses
// with Unimplemented before writing anything that matters, and the caller uses the libavformat
// remux (remuxer.h) instead.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/libav/remuxer.h"
#include "common/matroska/tracks_edit.h"

namespace mkvfleet::matroska {

// Turns the source's video frames into the output's.
class FrameRewriter {
 public:
  virtual ~FrameRewriter() = default;
  // Once, before any frame, with the source's video track. An error aborts the rewrite.
  virtual absl::Status Start(const matroska::VideoTrackEntry& track) = 0;
  // Appends the new form of `frame` (one frame as stored: NAL units with length prefixes) to
  // `out`. Errors abort the rewrite; the message should name the frame.
  virtual absl::Status Rewrite(absl::Span<const uint8_t> frame, std::vector<uint8_t>& out) = 0;
};

struct RewriteRequest {
  std::string source_path;
  std::string output_path;          // created or truncated; removed again when the rewrite fails
  FrameRewriter* frames = nullptr;  // REQUIRES: non-null; borrowed
  // The 24-byte Dolby Vision configuration record for the video track and its type (dvcC /
  // dvvC); empty leaves the stored record alone.
  std::vector<uint8_t> dovi_record;
  uint32_t dovi_fourcc = matroska::kFourccDvvc;
  std::function<void(int64_t video_frames_read)> on_progress;  // after each cluster
  const std::atomic<bool>* cancel = nullptr;
};

// Errors (the output removed in every case): Unimplemented naming what this path does not handle
// (unknown sizes, a CRC-32 other than first in a level-1 element or in a BlockGroup, laced or
// compressed video, Cues or video statistics before the clusters, no Dolby Vision mapping to
// replace, ...): nothing is lost, use Remux(); NotFound /
// PermissionDenied for a source that cannot be opened; InvalidArgument for a file that is not
// Matroska; DataLoss for a source that ends early (truncated), naming it; the FrameRewriter's
// errors; Internal for output errors; Cancelled.
absl::StatusOr<libav::RemuxStats> RewriteMatroska(const RewriteRequest& request);

}  // namespace mkvfleet::matroska
