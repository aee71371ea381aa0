// The fields of the HEVC SPS and PPS (H.265 7.3.2.2, 7.3.2.3) that slice headers depend on up to
// slice_pic_order_cnt_lsb: enough to find picture boundaries, slice types and picture order
// counts. Parsing stops once those fields are read; the rest of each set is not validated.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::hevc {

// Sequence parameter set subset; field names follow the spec.
struct Sps {
  uint32_t sps_video_parameter_set_id = 0;
  uint32_t sps_max_sub_layers_minus1 = 0;
  uint32_t sps_seq_parameter_set_id = 0;
  uint32_t chroma_format_idc = 0;
  bool separate_colour_plane_flag = false;
  uint32_t pic_width_in_luma_samples = 0;
  uint32_t pic_height_in_luma_samples = 0;
  uint32_t log2_max_pic_order_cnt_lsb_minus4 = 0;
  // For the highest sub-layer.
  uint32_t sps_max_dec_pic_buffering_minus1 = 0;
  uint32_t sps_max_num_reorder_pics = 0;
  uint32_t log2_min_luma_coding_block_size_minus3 = 0;
  uint32_t log2_diff_max_min_luma_coding_block_size = 0;

  // Derived: CtbSizeY-based picture size in coding tree blocks (PicSizeInCtbsY).
  uint32_t PicSizeInCtbsY() const;
};

// Picture parameter set subset.
struct Pps {
  uint32_t pps_pic_parameter_set_id = 0;
  uint32_t pps_seq_parameter_set_id = 0;
  bool dependent_slice_segments_enabled_flag = false;
  bool output_flag_present_flag = false;
  uint32_t num_extra_slice_header_bits = 0;
};

// Parse a whole SPS / PPS NAL (header included, emulation prevention still present).
// Errors: InvalidArgument for a wrong NAL type, out-of-range ids or values the spec forbids;
// OutOfRange if the NAL ends early.
absl::StatusOr<Sps> ParseSps(absl::Span<const uint8_t> nal);
absl::StatusOr<Pps> ParsePps(absl::Span<const uint8_t> nal);

// The active parameter sets seen so far in a stream, by id. Later sets replace earlier ones.
class ParameterSetTable {
 public:
  // Parses and stores an SPS or PPS NAL; any other type is ignored. Errors as ParseSps/ParsePps.
  absl::Status Update(absl::Span<const uint8_t> nal);
  const Sps* sps(uint32_t id) const { return id < sps_.size() && sps_[id] ? &*sps_[id] : nullptr; }
  const Pps* pps(uint32_t id) const { return id < pps_.size() && pps_[id] ? &*pps_[id] : nullptr; }

 private:
  std::array<std::optional<Sps>, 16> sps_;
  std::array<std::optional<Pps>, 64> pps_;
};

}  // namespace mkvfleet::hevc
