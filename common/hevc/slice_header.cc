// Slice segment header prefix parsing (H.265 7.3.6.1).
#include "common/hevc/slice_header.h"

#include <array>
#include <bit>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/bits/bit_reader.h"
#include "common/hevc/nal_unit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::hevc {
namespace {
// The fields parsed here fit well within this many RBSP bytes after the NAL header.
constexpr size_t kHeaderBytesToRead = 64;
}  // namespace

absl::StatusOr<SliceHeader> ParseSliceHeader(absl::Span<const uint8_t> nal,
                                             const ParameterSetTable& sets) {
  ASSIGN_OR_RETURN(NalHeader h, ParseNalHeader(nal));
  const uint8_t type = h.nal_unit_type;
  if (!IsVcl(type)) {
    return absl::InvalidArgumentError(
        absl::StrCat("slice header requested for a ", NalTypeName(type), " NAL"));
  }
  // Unescape the first bytes into a stack buffer (no allocation per slice).
  std::array<uint8_t, kHeaderBytesToRead> rbsp;
  size_t len = 0;
  int zeros = 0;
  for (size_t i = 2; i < nal.size() && len < rbsp.size(); ++i) {
    if (zeros >= 2 && nal[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] == 0 ? zeros + 1 : 0;
    rbsp[len++] = nal[i];
  }
  bits::BitReader r(absl::MakeConstSpan(rbsp.data(), len));
  SliceHeader s;
  s.first_slice_segment_in_pic_flag = r.ReadFlag();
  if (IsIrap(type)) s.no_output_of_prior_pics_flag = r.ReadFlag();
  s.slice_pic_parameter_set_id = r.ReadUe();
  if (!r.ok()) return r.status("slice header");
  const Pps* pps = sets.pps(static_cast<uint32_t>(s.slice_pic_parameter_set_id));
  if (pps == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "slice refers to PPS ", s.slice_pic_parameter_set_id, " which has not been seen"));
  }
  const Sps* sps = sets.sps(pps->pps_seq_parameter_set_id);
  if (sps == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("PPS ", pps->pps_pic_parameter_set_id,
                                                   " refers to SPS ", pps->pps_seq_parameter_set_id,
                                                   " which has not been seen"));
  }
  if (!s.first_slice_segment_in_pic_flag) {
    if (pps->dependent_slice_segments_enabled_flag) s.dependent_slice_segment_flag = r.ReadFlag();
    const uint32_t ctbs = sps->PicSizeInCtbsY();
    const int address_bits = ctbs <= 1 ? 0 : std::bit_width(ctbs - 1);
    s.slice_segment_address = static_cast<uint32_t>(r.ReadBits(address_bits));
  }
  if (!s.dependent_slice_segment_flag) {
    r.Skip(pps->num_extra_slice_header_bits);  // slice_reserved_flag[i]
    const uint64_t slice_type = r.ReadUe();
    if (slice_type > kSliceI) {
      return absl::InvalidArgumentError(absl::StrCat("invalid slice_type ", slice_type));
    }
    s.slice_type = static_cast<uint32_t>(slice_type);
    if (pps->output_flag_present_flag) s.pic_output_flag = r.ReadFlag();
    if (sps->separate_colour_plane_flag) r.Skip(2);  // colour_plane_id
    if (!IsIdr(type)) {
      s.slice_pic_order_cnt_lsb =
          static_cast<uint32_t>(r.ReadBits(sps->log2_max_pic_order_cnt_lsb_minus4 + 4));
    }
  }
  if (!r.ok()) return r.status("slice header");
  return s;
}

}  // namespace mkvfleet::hevc
