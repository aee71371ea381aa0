// POC derivation (H.265 8.3.1) and AUD pic_type per access unit.
#include "common/hevc/picture_order.h"

#include <algorithm>

#include "common/hevc/nal_unit.h"
#include "common/hevc/slice_header.h"
#include "common/status/status_macros.h"

namespace mkvfleet::hevc {

void FrameOrderAnalyzer::BeginFrame() {
  current_ = FrameInfo{};
  eos_in_frame_ = false;
}

absl::Status FrameOrderAnalyzer::AddNal(absl::Span<const uint8_t> nal) {
  ASSIGN_OR_RETURN(NalHeader h, ParseNalHeader(nal));
  if (h.nuh_layer_id != 0) return absl::OkStatus();
  const uint8_t type = h.nal_unit_type;
  if (type == kSps || type == kPps) return sets_.Update(nal);
  if (type == kEos) {
    eos_in_frame_ = true;
    return absl::OkStatus();
  }
  if (!IsVcl(type)) return absl::OkStatus();

  ASSIGN_OR_RETURN(SliceHeader s, ParseSliceHeader(nal, sets_));
  if (!s.dependent_slice_segment_flag) {
    const uint8_t pic_type = static_cast<uint8_t>(kSliceI - s.slice_type);  // I 0, P 1, B 2
    current_.pic_type = std::max(current_.pic_type, pic_type);
  }
  if (!s.first_slice_segment_in_pic_flag || current_.has_picture) return absl::OkStatus();

  const Pps* pps = sets_.pps(s.slice_pic_parameter_set_id);
  const Sps* sps = sets_.sps(pps->pps_seq_parameter_set_id);
  const int64_t max_lsb = int64_t{1} << (sps->log2_max_pic_order_cnt_lsb_minus4 + 4);
  const int64_t lsb = s.slice_pic_order_cnt_lsb;
  const bool no_rasl_output = IsIrap(type) && (IsIdr(type) || IsBla(type) || next_starts_sequence_);
  int64_t msb = 0;
  if (no_rasl_output) {
    if (pictures_ > 0) ++cvs_index_;
  } else {
    const int64_t prev_lsb = prev_tid0_poc_ & (max_lsb - 1);
    const int64_t prev_msb = prev_tid0_poc_ - prev_lsb;
    if (lsb < prev_lsb && prev_lsb - lsb >= max_lsb / 2) {
      msb = prev_msb + max_lsb;
    } else if (lsb > prev_lsb && lsb - prev_lsb > max_lsb / 2) {
      msb = prev_msb - max_lsb;
    } else {
      msb = prev_msb;
    }
  }
  const int64_t poc = msb + lsb;
  if (h.temporal_id == 0 && !IsLeading(type) && !IsSubLayerNonReference(type)) {
    prev_tid0_poc_ = poc;
  }
  next_starts_sequence_ = false;
  current_.has_picture = true;
  current_.decode_index = pictures_++;
  current_.key = DisplayKey{cvs_index_, poc};
  current_.nal_unit_type = type;
  current_.sps_max_num_reorder_pics = sps->sps_max_num_reorder_pics;
  return absl::OkStatus();
}

FrameInfo FrameOrderAnalyzer::EndFrame() {
  if (eos_in_frame_) next_starts_sequence_ = true;
  return current_;
}

}  // namespace mkvfleet::hevc
