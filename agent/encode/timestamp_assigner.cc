// Output timestamps from the source's (see the header).
#include "agent/encode/timestamp_assigner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {

TimestampAssigner::TimestampAssigner(uint32_t output_reorder, size_t window)
    : output_reorder_(output_reorder), window_(window), output_order_(window) {}

void TimestampAssigner::AddSourceFrame(int64_t pts, int64_t duration) {
  ++source_frames_;
  source_pending_.emplace(pts, duration);
  // A conforming stream never shows a frame after more than `window` later-decoded ones.
  while (source_pending_.size() > window_) {
    source_sorted_.push_back(source_pending_.top());
    source_pending_.pop();
  }
}

void TimestampAssigner::FinishSource() {
  source_done_ = true;
  while (!source_pending_.empty()) {
    source_sorted_.push_back(source_pending_.top());
    source_pending_.pop();
  }
}

absl::Status TimestampAssigner::AddOutputFrame(hevc::DisplayKey key) {
  const uint64_t index = rank_of_.size();
  rank_of_.push_back(-1);
  return output_order_.Push(key, index, [this](uint64_t&& i) {
    rank_of_[i] = next_rank_++;
    return absl::OkStatus();
  });
}

absl::Status TimestampAssigner::FinishOutput() {
  output_done_ = true;
  RETURN_IF_ERROR(output_order_.Flush([this](uint64_t&& i) {
    rank_of_[i] = next_rank_++;
    return absl::OkStatus();
  }));
  if (source_done_ && output_frames() != source_frames_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the encoder produced ", output_frames(), " frames but the source has ", source_frames_));
  }
  return absl::OkStatus();
}

const TimestampAssigner::Entry* TimestampAssigner::SourceAt(int64_t rank) const {
  if (rank < 0 || rank >= static_cast<int64_t>(source_sorted_.size())) return nullptr;
  return &source_sorted_[rank];
}

std::optional<FrameTimestamps> TimestampAssigner::Next() {
  if (next_out_ >= rank_of_.size()) return std::nullopt;
  const int64_t rank = rank_of_[next_out_];
  if (rank < 0) return std::nullopt;
  const Entry* shown = SourceAt(rank);
  const int64_t dts_rank = std::max<int64_t>(0, static_cast<int64_t>(next_out_) - output_reorder_);
  const Entry* decoded = SourceAt(dts_rank);
  if (shown == nullptr || decoded == nullptr) return std::nullopt;  // wait for more source
  FrameTimestamps t;
  t.pts = shown->first;
  t.duration = shown->second;
  // Never after the frame's own display time, never before the previous decode time.
  t.dts = std::max(std::min(decoded->first, t.pts), last_dts_);
  last_dts_ = t.dts;
  ++next_out_;
  return t;
}

}  // namespace mkvfleet::agent::encode
