// rpu_data_header() read and written in bitstream order (fixed-width runs whole where safe).
#include "common/dovi/rpu_header.h"

#include "absl/strings/str_cat.h"
#include "common/dovi/rpu_internal.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dovi {

RpuHeader Profile8Header() {
  RpuHeader h;
  h.rpu_type = 2;
  h.rpu_format = 18;
  h.vdr_rpu_profile = 1;
  h.vdr_seq_info_present_flag = true;
  h.coefficient_data_type = 0;
  h.coefficient_log2_denom = 23;
  h.vdr_rpu_normalized_idc = 1;
  h.bl_video_full_range_flag = false;
  h.bl_bit_depth_minus8 = 2;
  h.el_bit_depth_minus8 = 2;
  h.vdr_bit_depth_minus8 = 4;
  h.disable_residual_flag = true;
  h.vdr_dm_metadata_present_flag = true;
  return h;
}

namespace {

// The value checks of rpu_data_header, shared by both parses below (same order, same errors).
[[gnu::always_inline]] inline absl::Status CheckRpuType(const RpuHeader& h) {
  if (h.rpu_type == 2) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("RPU: rpu_type ", h.rpu_type, " unsupported (want 2)"));
}

[[gnu::always_inline]] inline absl::Status CheckCoefficientDataType(const RpuHeader& h) {
  if (h.coefficient_data_type <= 1) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("RPU: coefficient_data_type ", h.coefficient_data_type, " unsupported"));
}

[[gnu::always_inline]] inline absl::Status SetCoefficientLog2Denom(uint64_t denom, RpuHeader& h) {
  if (denom > 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("RPU: coefficient_log2_denom ", denom, " above 32"));
  }
  h.coefficient_log2_denom = static_cast<uint32_t>(denom);
  return absl::OkStatus();
}

// The three bit-depth ue(v)s; the EL one also carries ext_mapping_idc in its upper byte.
[[gnu::always_inline]] inline absl::Status SetBitDepths(uint64_t bl, uint64_t el_coded,
                                                        uint64_t vdr, RpuHeader& h) {
  if (el_coded > 0xFFFF) {
    return absl::InvalidArgumentError(
        absl::StrCat("RPU: el_bit_depth_minus8 field ", el_coded, " above 16 bits"));
  }
  const uint64_t el = el_coded & 0xFF;
  h.ext_mapping_idc_0_4 = static_cast<uint8_t>((el_coded >> 8) & 0x1F);
  h.ext_mapping_idc_5_7 = static_cast<uint8_t>(el_coded >> 13);
  if (bl > 8 || el > 8 || vdr > 8) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RPU: bit depths above 16 (bl/el/vdr_bit_depth_minus8 ", bl, "/", el, "/", vdr, ")"));
  }
  h.bl_bit_depth_minus8 = static_cast<uint32_t>(bl);
  h.el_bit_depth_minus8 = static_cast<uint32_t>(el);
  h.vdr_bit_depth_minus8 = static_cast<uint32_t>(vdr);
  return absl::OkStatus();
}

// Header bits when every ue(v) is at its longest (33 bits of prefix and 33 of value, 5 of them).
constexpr size_t kLongestHeaderBits = 44 + 5 * 66;

// ParseRpuHeader when at least kLongestHeaderBits are left: the fixed-width runs between the
// ue(v) fields are read whole, as no read can run past the end; same values, checks and errors.
absl::Status ParseRpuHeaderWhole(bits::BitReader& r, RpuHeader& h) {
  h = RpuHeader();
  const uint64_t lead = r.ReadBits(26);  // rpu_type .. vdr_seq_info_present_flag
  h.rpu_type = static_cast<uint8_t>(lead >> 20);
  RETURN_IF_ERROR(CheckRpuType(h));
  h.rpu_format = static_cast<uint16_t>((lead >> 9) & 0x7FF);
  h.vdr_rpu_profile = static_cast<uint8_t>((lead >> 5) & 0xF);
  h.vdr_rpu_level = static_cast<uint8_t>((lead >> 1) & 0xF);
  h.vdr_seq_info_present_flag = (lead & 1) != 0;
  if (h.vdr_seq_info_present_flag) {
    const uint64_t type = r.ReadBits(3);
    h.chroma_resampling_explicit_filter_flag = (type >> 2) != 0;
    h.coefficient_data_type = static_cast<uint8_t>(type & 3);
    RETURN_IF_ERROR(CheckCoefficientDataType(h));
    if (h.coefficient_data_type == 0) {
      RETURN_IF_ERROR(SetCoefficientLog2Denom(r.ReadUe(), h));
    }
    const uint64_t idc = r.ReadBits(3);
    h.vdr_rpu_normalized_idc = static_cast<uint8_t>(idc >> 1);
    h.bl_video_full_range_flag = (idc & 1) != 0;
    if ((h.rpu_format & 0x700) == 0) {
      const uint64_t bl = r.ReadUe(), el_coded = r.ReadUe(), vdr = r.ReadUe();
      RETURN_IF_ERROR(SetBitDepths(bl, el_coded, vdr, h));
      const uint64_t flags = r.ReadBits(6);
      h.spatial_resampling_filter_flag = (flags >> 5) != 0;
      h.reserved_zero_3bits = static_cast<uint8_t>((flags >> 2) & 7);
      h.el_spatial_resampling_filter_flag = ((flags >> 1) & 1) != 0;
      h.disable_residual_flag = (flags & 1) != 0;
    }
  }
  const uint64_t dm = r.ReadBits(2);
  h.vdr_dm_metadata_present_flag = (dm >> 1) != 0;
  h.use_prev_vdr_rpu_flag = (dm & 1) != 0;
  if (h.use_prev_vdr_rpu_flag) h.prev_vdr_rpu_id = static_cast<uint32_t>(r.ReadUe());
  return r.status("RPU: rpu_data_header");
}

}  // namespace

absl::Status ParseRpuHeader(bits::BitReader& r, RpuHeader& h) {
  if (r.bits_left() >= kLongestHeaderBits) return ParseRpuHeaderWhole(r, h);
  h = RpuHeader();
  h.rpu_type = static_cast<uint8_t>(r.ReadBits(6));
  RETURN_IF_ERROR(CheckRpuType(h));
  h.rpu_format = static_cast<uint16_t>(r.ReadBits(11));
  h.vdr_rpu_profile = static_cast<uint8_t>(r.ReadBits(4));
  h.vdr_rpu_level = static_cast<uint8_t>(r.ReadBits(4));
  h.vdr_seq_info_present_flag = r.ReadFlag();
  if (h.vdr_seq_info_present_flag) {
    h.chroma_resampling_explicit_filter_flag = r.ReadFlag();
    h.coefficient_data_type = static_cast<uint8_t>(r.ReadBits(2));
    RETURN_IF_ERROR(CheckCoefficientDataType(h));
    if (h.coefficient_data_type == 0) {
      RETURN_IF_ERROR(SetCoefficientLog2Denom(r.ReadUe(), h));
    }
    h.vdr_rpu_normalized_idc = static_cast<uint8_t>(r.ReadBits(2));
    h.bl_video_full_range_flag = r.ReadFlag();
    if ((h.rpu_format & 0x700) == 0) {
      const uint64_t bl = r.ReadUe(), el_coded = r.ReadUe(), vdr = r.ReadUe();
      RETURN_IF_ERROR(SetBitDepths(bl, el_coded, vdr, h));
      h.spatial_resampling_filter_flag = r.ReadFlag();
      h.reserved_zero_3bits = static_cast<uint8_t>(r.ReadBits(3));
      h.el_spatial_resampling_filter_flag = r.ReadFlag();
      h.disable_residual_flag = r.ReadFlag();
    }
  }
  h.vdr_dm_metadata_present_flag = r.ReadFlag();
  h.use_prev_vdr_rpu_flag = r.ReadFlag();
  if (h.use_prev_vdr_rpu_flag) h.prev_vdr_rpu_id = static_cast<uint32_t>(r.ReadUe());
  return r.status("RPU: rpu_data_header");
}

uint64_t internal::HeaderFlagBits(const RpuHeader& h) {
  return (uint64_t{h.spatial_resampling_filter_flag} << 5) |
         (uint64_t{h.reserved_zero_3bits & 7u} << 2) |
         (uint64_t{h.el_spatial_resampling_filter_flag} << 1) | h.disable_residual_flag;
}

void WriteRpuHeader(const RpuHeader& h, bits::BitWriter& w) {
  // Runs of fixed-width fields in one write each, every field masked to its width as a write of
  // its own would.
  w.WriteBits((uint64_t{h.rpu_type & 0x3Fu} << 20) | (uint64_t{h.rpu_format & 0x7FFu} << 9) |
                  (uint64_t{h.vdr_rpu_profile & 0xFu} << 5) |
                  (uint64_t{h.vdr_rpu_level & 0xFu} << 1) | h.vdr_seq_info_present_flag,
              26);
  if (h.vdr_seq_info_present_flag) {
    w.WriteBits(
        (uint64_t{h.chroma_resampling_explicit_filter_flag} << 2) | (h.coefficient_data_type & 3u),
        3);
    if (h.coefficient_data_type == 0) w.WriteUe(h.coefficient_log2_denom);
    w.WriteBits((uint64_t{h.vdr_rpu_normalized_idc & 3u} << 1) | h.bl_video_full_range_flag, 3);
    if ((h.rpu_format & 0x700) == 0) {
      w.WriteUe(h.bl_bit_depth_minus8);
      w.WriteUe((uint64_t{h.ext_mapping_idc_5_7} << 13) | (uint64_t{h.ext_mapping_idc_0_4} << 8) |
                h.el_bit_depth_minus8);
      w.WriteUe(h.vdr_bit_depth_minus8);
      w.WriteBits(internal::HeaderFlagBits(h), 6);
    }
  }
  w.WriteBits((uint64_t{h.vdr_dm_metadata_present_flag} << 1) | h.use_prev_vdr_rpu_flag, 2);
  if (h.use_prev_vdr_rpu_flag) w.WriteUe(h.prev_vdr_rpu_id);
}

}  // namespace mkvfleet::dovi
