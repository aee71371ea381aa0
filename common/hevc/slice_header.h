// The start of an HEVC slice segment header (H.265 7.3.6.1), up to slice_pic_order_cnt_lsb:
// what is needed to tell pictures apart, know their slice types and compute their POC.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/hevc/parameter_sets.h"

namespace mkvfleet::hevc {

enum SliceType : uint8_t { kSliceB = 0, kSliceP = 1, kSliceI = 2 };

// Field names follow the spec. For a dependent slice segment, slice_type and
// slice_pic_order_cnt_lsb are not coded and stay 0; take them from the picture's first segment.
struct SliceHeader {
  bool first_slice_segment_in_pic_flag = false;
  bool no_output_of_prior_pics_flag = false;
  uint32_t slice_pic_parameter_set_id = 0;
  bool dependent_slice_segment_flag = false;
  uint32_t slice_segment_address = 0;
  uint32_t slice_type = kSliceI;
  bool pic_output_flag = true;
  uint32_t slice_pic_order_cnt_lsb = 0;
};

// Parses the header of a VCL NAL (2-byte header included, emulation prevention present) against
// the parameter sets seen so far. Only the first bytes of the NAL are read.
// Errors: InvalidArgument for a non-VCL NAL, a PPS or SPS that has not been seen, or an invalid
// slice_type; OutOfRange if the NAL ends inside the header.
absl::StatusOr<SliceHeader> ParseSliceHeader(absl::Span<const uint8_t> nal,
                                             const ParameterSetTable& sets);

}  // namespace mkvfleet::hevc
