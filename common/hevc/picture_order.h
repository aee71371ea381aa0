// Picture order count (H.265 8.3.1) per access unit, so frames stored in decode order can be put
// in display order: the key is (coded video sequence, POC), because POC restarts at every IDR,
// BLA, or CRA that begins a sequence.
#pragma once

#include <compare>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/hevc/parameter_sets.h"

namespace mkvfleet::hevc {

// Orders frames for display: by coded video sequence, then by POC.
struct DisplayKey {
  uint64_t cvs_index = 0;
  int64_t poc = 0;
  auto operator<=>(const DisplayKey&) const = default;
};

// What one access unit tells about its picture.
struct FrameInfo {
  bool has_picture = false;   // false for a unit with no layer-0 slice (nothing below is set)
  uint64_t decode_index = 0;  // 0-based count of pictures in decode order
  DisplayKey key;
  uint8_t nal_unit_type = 0;  // of the first slice
  // pic_type for an AUD (H.265 Table 7-2): 0 = I only, 1 = P and I, 2 = B, P and I.
  uint8_t pic_type = 0;
  uint32_t sps_max_num_reorder_pics = 0;
};

// Feeds the NALs of each access unit in decode order and computes its FrameInfo. Keeps the
// parameter sets seen so far. Not thread-safe.
class FrameOrderAnalyzer {
 public:
  // Stores an out-of-band parameter set (e.g. from hvcC). VPS and other types are ignored.
  absl::Status AddParameterSet(absl::Span<const uint8_t> nal) { return sets_.Update(nal); }

  // Starts a new access unit.
  void BeginFrame();
  // Adds one NAL of the current unit (header first, escaped). Parameter sets are stored; slices
  // are parsed; an EOS makes the next picture start a new coded video sequence.
  // Errors: those of ParseSps/ParsePps/ParseSliceHeader.
  absl::Status AddNal(absl::Span<const uint8_t> nal);
  // Finishes the unit and returns what was learned about it.
  FrameInfo EndFrame();

  const ParameterSetTable& parameter_sets() const { return sets_; }

 private:
  ParameterSetTable sets_;
  FrameInfo current_;
  uint64_t pictures_ = 0;
  uint64_t cvs_index_ = 0;
  int64_t prev_tid0_poc_ = 0;
  bool next_starts_sequence_ = true;  // first picture, or the first after an EOS
  bool eos_in_frame_ = false;
};

}  // namespace mkvfleet::hevc
