// SPS / PPS prefix parsing (H.265 7.3.2.2.1, 7.3.2.3.1, 7.3.3 profile_tier_level).
#include "common/hevc/parameter_sets.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/bits/bit_reader.h"
#include "common/bits/emulation_prevention.h"
#include "common/hevc/nal_unit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::hevc {
namespace {

using bits::BitReader;

// Header-free RBSP of a NAL, after checking its type.
absl::StatusOr<std::vector<uint8_t>> RbspOf(absl::Span<const uint8_t> nal, uint8_t want,
                                            const char* what) {
  ASSIGN_OR_RETURN(NalHeader h, ParseNalHeader(nal));
  if (h.nal_unit_type != want) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": NAL type is ", NalTypeName(h.nal_unit_type)));
  }
  return bits::RemoveEmulationPrevention(nal.subspan(2));
}

// 7.3.3 profile_tier_level(1, max_sub_layers_minus1): fixed-size fields, skipped.
void SkipProfileTierLevel(BitReader& r, uint32_t max_sub_layers_minus1) {
  r.Skip(88);  // general profile space..general_inbld/reserved bits
  r.Skip(8);   // general_level_idc
  bool profile_present[8] = {};
  bool level_present[8] = {};
  for (uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    profile_present[i] = r.ReadFlag();
    level_present[i] = r.ReadFlag();
  }
  if (max_sub_layers_minus1 > 0) r.Skip(2 * (8 - max_sub_layers_minus1));
  for (uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    if (profile_present[i]) r.Skip(88);
    if (level_present[i]) r.Skip(8);
  }
}

}  // namespace

uint32_t Sps::PicSizeInCtbsY() const {
  const uint32_t log2_ctb =
      log2_min_luma_coding_block_size_minus3 + 3 + log2_diff_max_min_luma_coding_block_size;
  const uint32_t ctb = 1u << log2_ctb;
  const uint32_t w = (pic_width_in_luma_samples + ctb - 1) >> log2_ctb;
  const uint32_t h = (pic_height_in_luma_samples + ctb - 1) >> log2_ctb;
  return w * h;
}

absl::StatusOr<Sps> ParseSps(absl::Span<const uint8_t> nal) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> rbsp, RbspOf(nal, kSps, "SPS"));
  BitReader r(rbsp);
  Sps s;
  s.sps_video_parameter_set_id = r.ReadBits(4);
  s.sps_max_sub_layers_minus1 = r.ReadBits(3);
  if (s.sps_max_sub_layers_minus1 > 6) {
    return absl::InvalidArgumentError("SPS: sps_max_sub_layers_minus1 > 6");
  }
  r.Skip(1);  // sps_temporal_id_nesting_flag
  SkipProfileTierLevel(r, s.sps_max_sub_layers_minus1);
  s.sps_seq_parameter_set_id = r.ReadUe();
  s.chroma_format_idc = r.ReadUe();
  if (s.chroma_format_idc == 3) s.separate_colour_plane_flag = r.ReadFlag();
  s.pic_width_in_luma_samples = r.ReadUe();
  s.pic_height_in_luma_samples = r.ReadUe();
  if (r.ReadFlag()) {  // conformance_window_flag
    for (int i = 0; i < 4; ++i) r.ReadUe();
  }
  r.ReadUe();  // bit_depth_luma_minus8
  r.ReadUe();  // bit_depth_chroma_minus8
  s.log2_max_pic_order_cnt_lsb_minus4 = r.ReadUe();
  const bool ordering_info_present = r.ReadFlag();
  for (uint32_t i = ordering_info_present ? 0 : s.sps_max_sub_layers_minus1;
       i <= s.sps_max_sub_layers_minus1; ++i) {
    s.sps_max_dec_pic_buffering_minus1 = r.ReadUe();
    s.sps_max_num_reorder_pics = r.ReadUe();
    r.ReadUe();  // sps_max_latency_increase_plus1
  }
  s.log2_min_luma_coding_block_size_minus3 = r.ReadUe();
  s.log2_diff_max_min_luma_coding_block_size = r.ReadUe();
  RETURN_IF_ERROR(r.status("SPS"));
  const uint32_t log2_ctb =
      s.log2_min_luma_coding_block_size_minus3 + 3 + s.log2_diff_max_min_luma_coding_block_size;
  const char* bad = nullptr;
  if (s.sps_seq_parameter_set_id > 15) bad = "sps_seq_parameter_set_id > 15";
  if (s.chroma_format_idc > 3) bad = "chroma_format_idc > 3";
  if (s.log2_max_pic_order_cnt_lsb_minus4 > 12) bad = "log2_max_pic_order_cnt_lsb_minus4 > 12";
  if (s.sps_max_num_reorder_pics > 16 || s.sps_max_dec_pic_buffering_minus1 > 16) {
    bad = "DPB sizes out of range";
  }
  if (log2_ctb < 3 || log2_ctb > 6) bad = "CTB size out of range";
  if (s.pic_width_in_luma_samples == 0 || s.pic_height_in_luma_samples == 0 ||
      s.pic_width_in_luma_samples > 65535 || s.pic_height_in_luma_samples > 65535) {
    bad = "picture size out of range";
  }
  if (bad) return absl::InvalidArgumentError(absl::StrCat("SPS: ", bad));
  return s;
}

absl::StatusOr<Pps> ParsePps(absl::Span<const uint8_t> nal) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> rbsp, RbspOf(nal, kPps, "PPS"));
  BitReader r(rbsp);
  Pps p;
  p.pps_pic_parameter_set_id = r.ReadUe();
  p.pps_seq_parameter_set_id = r.ReadUe();
  p.dependent_slice_segments_enabled_flag = r.ReadFlag();
  p.output_flag_present_flag = r.ReadFlag();
  p.num_extra_slice_header_bits = r.ReadBits(3);
  RETURN_IF_ERROR(r.status("PPS"));
  if (p.pps_pic_parameter_set_id > 63 || p.pps_seq_parameter_set_id > 15) {
    return absl::InvalidArgumentError("PPS: parameter set id out of range");
  }
  return p;
}

absl::Status ParameterSetTable::Update(absl::Span<const uint8_t> nal) {
  if (nal.empty()) return absl::OkStatus();
  const uint8_t t = NalTypeOf(nal);
  if (t == kSps) {
    ASSIGN_OR_RETURN(Sps s, ParseSps(nal));
    sps_[s.sps_seq_parameter_set_id] = s;
  } else if (t == kPps) {
    ASSIGN_OR_RETURN(Pps p, ParsePps(nal));
    pps_[p.pps_pic_parameter_set_id] = p;
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::hevc
