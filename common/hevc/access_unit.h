// Groups a stream of NAL units into access units (one coded picture plus the parameter sets, SEI,
// RPU and enhancement-layer NALs that belong to it), following H.265 7.4.2.4.4.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace mkvfleet::hevc {

// The NALs of one access unit, stored back to back in one buffer that is reused from unit to
// unit, so steady-state operation allocates nothing. Copyable and movable.
class AccessUnit {
 public:
  size_t size() const { return nals_.size(); }
  bool empty() const { return nals_.empty(); }
  // The i-th NAL, header first, without start code or length prefix. REQUIRES: i < size().
  absl::Span<const uint8_t> nal(size_t i) const {
    return {data_.data() + nals_[i].offset, nals_[i].size};
  }
  // nal_unit_type of the i-th NAL (0xFF for an empty NAL).
  uint8_t type(size_t i) const { return nals_[i].type; }
  // Start code size the NAL had in an Annex B input (3 or 4); 4 for other inputs.
  int start_code_size(size_t i) const { return nals_[i].start_code_size; }
  // Total payload bytes.
  size_t byte_size() const { return data_.size(); }

  void Append(absl::Span<const uint8_t> nal, int start_code_size = 4);
  void Clear() {
    data_.clear();
    nals_.clear();
  }

 private:
  struct NalRef {
    size_t offset;
    size_t size;
    uint8_t type;
    uint8_t start_code_size;
  };
  std::vector<uint8_t> data_;
  std::vector<NalRef> nals_;
};

// Finds access-unit boundaries in NAL order. A NAL begins a new unit when the current unit
// already holds a picture and the NAL is an AUD, VPS, SPS, PPS, prefix SEI (or reserved type
// 41..44, 48..55), or a layer-0 slice with first_slice_segment_in_pic_flag. An AUD always begins
// a new unit. Suffix SEI, EOS, EOB, FD, RPU (62) and wrapped EL NALs (63) stay in the current
// unit. Not thread-safe.
class AccessUnitAssembler {
 public:
  // Adds the next NAL. If it begins a new unit, the finished unit is swapped into *done (whose
  // old content is discarded) and true is returned.
  bool Add(absl::Span<const uint8_t> nal, int start_code_size, AccessUnit* done);
  // End of stream: swaps the last unit into *done; false if there was none.
  bool Finish(AccessUnit* done);

 private:
  AccessUnit current_;
  bool has_picture_ = false;
};

// True if this NAL begins a new access unit given whether the current one holds a picture.
bool BeginsAccessUnit(absl::Span<const uint8_t> nal, bool current_has_picture);

}  // namespace mkvfleet::hevc
