// Reorders per-frame values (RPUs, frame indices) from decode order to display order with
// bounded memory, the way a decoder's output process does: a frame is released once more than
// `window` frames wait, or when its coded video sequence ends.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/hevc/picture_order.h"
#include "common/status/status_macros.h"

namespace mkvfleet::hevc {

// Holds at most `window` + 1 values. HEVC never needs more than 16 pictures waiting for output
// (sps_max_num_reorder_pics <= 16), so the default is exact for every conforming stream.
// Not thread-safe.
template <typename T>
class DisplayOrderBuffer {
 public:
  using Emit = absl::FunctionRef<absl::Status(T&&)>;
  static constexpr size_t kDefaultWindow = 16;

  explicit DisplayOrderBuffer(size_t window = kDefaultWindow) : window_(window) {}

  // Adds the next frame in decode order and emits every value whose display position is settled.
  // Errors: FailedPrecondition if the key repeats one in the same sequence or would have to be
  // shown before a frame already emitted (the stream reorders deeper than the window);
  // emit's error.
  absl::Status Push(DisplayKey key, T value, Emit emit) {
    if (!heap_.empty() && key.cvs_index != heap_.front().first.cvs_index) {
      RETURN_IF_ERROR(Flush(emit));
    }
    if (last_emitted_ && key <= *last_emitted_) {
      return absl::FailedPreconditionError(absl::StrCat(
          "frame with POC ", key.poc, " (sequence ", key.cvs_index, ") comes after POC ",
          last_emitted_->poc, " was already output: duplicate POC or reordering deeper than ",
          window_, " frames"));
    }
    heap_.emplace_back(key, std::move(value));
    std::push_heap(heap_.begin(), heap_.end(), Greater);
    while (heap_.size() > window_) {
      RETURN_IF_ERROR(PopOne(emit));
    }
    return absl::OkStatus();
  }

  // Emits everything still held, in display order.
  absl::Status Flush(Emit emit) {
    while (!heap_.empty()) {
      RETURN_IF_ERROR(PopOne(emit));
    }
    return absl::OkStatus();
  }

  size_t held() const { return heap_.size(); }

 private:
  using Entry = std::pair<DisplayKey, T>;
  static bool Greater(const Entry& a, const Entry& b) { return a.first > b.first; }

  absl::Status PopOne(Emit emit) {
    std::pop_heap(heap_.begin(), heap_.end(), Greater);
    Entry e = std::move(heap_.back());
    heap_.pop_back();
    if (last_emitted_ && e.first == *last_emitted_) {
      return absl::FailedPreconditionError(
          absl::StrCat("two frames share POC ", e.first.poc, " in sequence ", e.first.cvs_index));
    }
    last_emitted_ = e.first;
    return emit(std::move(e.second));
  }

  size_t window_;
  std::vector<Entry> heap_;
  std::optional<DisplayKey> last_emitted_;
};

}  // namespace mkvfleet::hevc
