// NLQ fields in bitstream order, and the neutral (MEL) values.
#include "common/dovi/rpu_nlq.h"

#include "absl/strings/str_cat.h"

namespace mkvfleet::dovi {

bool RpuNlq::IsNeutral() const {
  for (int c = 0; c < kNumComponents; ++c) {
    if (nlq_offset[c] != 0 || vdr_in_max_int[c] != 1 || vdr_in_max[c] != 0 ||
        linear_deadzone_slope_int[c] != 0 || linear_deadzone_slope[c] != 0 ||
        linear_deadzone_threshold_int[c] != 0 || linear_deadzone_threshold[c] != 0) {
      return false;
    }
  }
  return true;
}

void RpuNlq::MakeNeutral() {
  nlq_method_idc = 0;
  nlq_pred_pivot_value = {0, 1023};
  nlq_offset.fill(0);
  vdr_in_max_int.fill(1);
  vdr_in_max.fill(0);
  linear_deadzone_slope_int.fill(0);
  linear_deadzone_slope.fill(0);
  linear_deadzone_threshold_int.fill(0);
  linear_deadzone_threshold.fill(0);
}

absl::Status ParseNlqPivots(bits::BitReader& r, const RpuHeader& h, RpuNlq& nlq) {
  nlq.nlq_method_idc = static_cast<uint8_t>(r.ReadBits(3));
  if (nlq.nlq_method_idc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("RPU: nlq_method_idc ", nlq.nlq_method_idc, " unsupported (want 0)"));
  }
  for (auto& v : nlq.nlq_pred_pivot_value) v = static_cast<uint16_t>(r.ReadBits(h.bl_bit_depth()));
  return r.status("RPU: NLQ pivots");
}

void WriteNlqPivots(const RpuNlq& nlq, const RpuHeader& h, bits::BitWriter& w) {
  w.WriteBits(nlq.nlq_method_idc, 3);
  for (uint16_t v : nlq.nlq_pred_pivot_value) w.WriteBits(v, h.bl_bit_depth());
}

absl::Status ParseNlqParams(bits::BitReader& r, const RpuHeader& h, RpuNlq& nlq) {
  const int coef_bits = h.coefficient_bits();
  const bool fixed = h.coefficient_data_type == 0;
  for (int c = 0; c < kNumComponents; ++c) {
    nlq.nlq_offset[c] = static_cast<uint16_t>(r.ReadBits(h.el_bit_depth()));
    if (fixed) nlq.vdr_in_max_int[c] = r.ReadUe();
    nlq.vdr_in_max[c] = r.ReadBits(coef_bits);
    if (fixed) nlq.linear_deadzone_slope_int[c] = r.ReadUe();
    nlq.linear_deadzone_slope[c] = r.ReadBits(coef_bits);
    if (fixed) nlq.linear_deadzone_threshold_int[c] = r.ReadUe();
    nlq.linear_deadzone_threshold[c] = r.ReadBits(coef_bits);
  }
  return r.status("RPU: rpu_data_nlq");
}

void WriteNlqParams(const RpuNlq& nlq, const RpuHeader& h, bits::BitWriter& w) {
  const int coef_bits = h.coefficient_bits();
  const bool fixed = h.coefficient_data_type == 0;
  for (int c = 0; c < kNumComponents; ++c) {
    w.WriteBits(nlq.nlq_offset[c], h.el_bit_depth());
    if (fixed) w.WriteUe(nlq.vdr_in_max_int[c]);
    w.WriteBits(nlq.vdr_in_max[c], coef_bits);
    if (fixed) w.WriteUe(nlq.linear_deadzone_slope_int[c]);
    w.WriteBits(nlq.linear_deadzone_slope[c], coef_bits);
    if (fixed) w.WriteUe(nlq.linear_deadzone_threshold_int[c]);
    w.WriteBits(nlq.linear_deadzone_threshold[c], coef_bits);
  }
}

}  // namespace mkvfleet::dovi
