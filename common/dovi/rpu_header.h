// rpu_data_header(): the front of every Dolby Vision RPU. It says which profile the stream
// carries (vdr_rpu_profile, residual flags) and how wide every later coefficient is.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "common/bits/bit_reader.h"
#include "common/bits/bit_writer.h"

namespace mkvfleet::dovi {

// The header fields, named as in the Dolby Vision RPU syntax. Fields behind a presence flag keep
// their default (0/false) when the flag is off, and are not written back then.
struct RpuHeader {
  uint8_t rpu_type = 2;  // only 2 (the HEVC/AV1 RPU) is supported
  uint16_t rpu_format = 0;
  uint8_t vdr_rpu_profile = 0;
  uint8_t vdr_rpu_level = 0;
  bool vdr_seq_info_present_flag = false;
  // Present when vdr_seq_info_present_flag:
  bool chroma_resampling_explicit_filter_flag = false;
  uint8_t coefficient_data_type = 0;    // 0: fixed point (int part + fraction), 1: 32-bit float
  uint32_t coefficient_log2_denom = 0;  // fraction bits when coefficient_data_type == 0
  uint8_t vdr_rpu_normalized_idc = 0;
  bool bl_video_full_range_flag = false;
  // Present when also (rpu_format & 0x700) == 0:
  uint32_t bl_bit_depth_minus8 = 0;
  uint32_t el_bit_depth_minus8 = 0;
  // Coded in the bits above the low byte of the el_bit_depth_minus8 ue(v) (Apple profile 20 /
  // extended base layer inverse mapping): value = (5_7 << 13) | (0_4 << 8) | el_bit_depth_minus8.
  uint8_t ext_mapping_idc_0_4 = 0;
  uint8_t ext_mapping_idc_5_7 = 0;
  uint32_t vdr_bit_depth_minus8 = 0;
  bool spatial_resampling_filter_flag = false;
  uint8_t reserved_zero_3bits = 0;  // 1 means "compressed" DM data
  bool el_spatial_resampling_filter_flag = false;
  bool disable_residual_flag = false;
  // Always present:
  bool vdr_dm_metadata_present_flag = false;
  bool use_prev_vdr_rpu_flag = false;
  uint32_t prev_vdr_rpu_id = 0;  // present when use_prev_vdr_rpu_flag

  // True when the bit depths and residual flags are coded (rpu_format & 0x700 == 0).
  bool has_bit_depths() const { return vdr_seq_info_present_flag && (rpu_format & 0x700) == 0; }
  // Bits of every fractional coefficient: coefficient_log2_denom, or 32 for float data.
  int coefficient_bits() const {
    return coefficient_data_type == 0 ? static_cast<int>(coefficient_log2_denom) : 32;
  }
  int bl_bit_depth() const { return static_cast<int>(bl_bit_depth_minus8) + 8; }
  int el_bit_depth() const { return static_cast<int>(el_bit_depth_minus8) + 8; }
  // True when the RPU carries NLQ (enhancement layer residual) parameters: profile 7. Like the
  // reference tools, this looks at rpu_format and disable_residual_flag only.
  bool has_nlq() const { return (rpu_format & 0x700) == 0 && !disable_residual_flag; }

  bool operator==(const RpuHeader&) const = default;
};

// The header of a profile 8.1 RPU as the reference tools write it (10-bit BL, 12-bit VDR,
// coefficient_log2_denom 23, no residual, DM metadata present).
RpuHeader Profile8Header();

// Reads rpu_data_header() (after the 0x19 prefix byte). Returns InvalidArgument naming the field
// when a value is outside what this parser supports (rpu_type != 2, coefficient_data_type > 1,
// coefficient_log2_denom > 32, bit depths above 16), OutOfRange when the data ends.
absl::Status ParseRpuHeader(bits::BitReader& reader, RpuHeader& header);
void WriteRpuHeader(const RpuHeader& header, bits::BitWriter& writer);

}  // namespace mkvfleet::dovi
