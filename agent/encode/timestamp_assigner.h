// Gives an encoder's output frames the source's timestamps. x265's GOP and B-frame structure
// differs from the source's, so frame i in the output's decode order is not frame i of the
// source: the output frame shown k-th (its display rank, from its POC) gets the k-th smallest
// source presentation time and that frame's duration; decode times are the display times
// shifted by the output's reorder depth (never negative, never decreasing, never after the
// frame's own presentation time). Works with bounded look-ahead: a value is handed out once
// no later input can change it. Pure; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/hevc/display_order.h"
#include "common/hevc/picture_order.h"

namespace mkvfleet::agent::encode {

// Timestamps of one output frame, in the source video stream's time base.
struct FrameTimestamps {
  int64_t pts = 0;
  int64_t dts = 0;
  int64_t duration = 0;
  bool operator==(const FrameTimestamps&) const = default;
};

class TimestampAssigner {
 public:
  // `output_reorder` is the output's sps_max_num_reorder_pics; `window` bounds how far either
  // stream may reorder (16 covers every conforming HEVC stream).
  explicit TimestampAssigner(uint32_t output_reorder,
                             size_t window = hevc::DisplayOrderBuffer<uint64_t>::kDefaultWindow);

  // The next source frame in file (decode) order.
  void AddSourceFrame(int64_t pts, int64_t duration);
  // No more source frames.
  void FinishSource();
  // The next output frame in decode order, by its display key. Errors: those of
  // DisplayOrderBuffer (duplicate POC, reordering deeper than the window).
  absl::Status AddOutputFrame(hevc::DisplayKey key);
  // No more output frames. Errors: FailedPrecondition when the output has a different number of
  // frames than the source (call after FinishSource).
  absl::Status FinishOutput();

  // The timestamps of the next output frame (decode order) when they are settled; nullopt when
  // more input is needed. After both Finish calls every added frame is settled.
  std::optional<FrameTimestamps> Next();

  int64_t source_frames() const { return source_frames_; }
  int64_t output_frames() const { return static_cast<int64_t>(rank_of_.size()); }

 private:
  using Entry = std::pair<int64_t, int64_t>;  // pts, duration
  // The settled source entry of display rank `rank`, if settled.
  const Entry* SourceAt(int64_t rank) const;

  uint32_t output_reorder_;
  size_t window_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> source_pending_;
  std::vector<Entry> source_sorted_;  // settled, by display rank
  int64_t source_frames_ = 0;
  bool source_done_ = false;
  hevc::DisplayOrderBuffer<uint64_t> output_order_;
  std::vector<int64_t> rank_of_;  // per output decode index; -1 until known
  int64_t next_rank_ = 0;
  bool output_done_ = false;
  size_t next_out_ = 0;
  int64_t last_dts_ = INT64_MIN;
};

}  // namespace mkvfleet::agent::encode
