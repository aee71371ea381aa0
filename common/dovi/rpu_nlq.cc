// NLQ fields in bitstream order, and the neutral (MEL) values.
#include "common/dovi/rpu_nlq.h"

#include "absl/strings/str_cat.h"
#include "common/dovi/rpu_internal.h"

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

namespace {

// ParseNlqParams with fixed-point coefficients of 1..56 bits, read in whole words from the
// reader's data: true (reader advanced past the fields) when every read fits in the data and
// every ue(v) has at most 28 leading zeros, so that the BitReader would read the same values
// without error; false (reader untouched, `nlq` partly written) when the exact code must decide.
bool ParseNlqParamsFast(bits::BitReader& r, const RpuHeader& h, RpuNlq& nlq) {
  const size_t coef_bits = static_cast<size_t>(h.coefficient_bits());
  const size_t el_bits = static_cast<size_t>(h.el_bit_depth());
  const absl::Span<const uint8_t> data = r.data();
  if (!r.ok() || h.coefficient_data_type != 0 || coef_bits < 1 || coef_bits > 56 ||
      el_bits > 56 || data.size() < 8) {
    return false;
  }
  const uint8_t* const d = data.data();
  // A whole word can be read at bit p exactly when (p >> 3) + 8 <= size, i.e. p <= last.
  const size_t last = 8 * (data.size() - 8) + 7;
  // The most bits one component takes: its fields start within that many bits of its start,
  // so when the start plus that is <= last, every read of the component has a whole word.
  const size_t component_bits = el_bits + 3 * (57 + coef_bits);
  size_t pos = r.position();
  auto bits = [&](size_t n) {
    const uint64_t v = internal::PeekBits64(d, pos) >> (64 - n);
    pos += n;
    return v;
  };
  bool sure = true;
  auto ue = [&]() -> uint64_t {
    const uint64_t word = internal::PeekBits64(d, pos);
    const int zeros = __builtin_clzll(word | 1);  // 63 for a zero word: refused below
    const bool short_code = zeros <= 28;
    sure &= short_code;
    // Unsure: 1 bit, so the reads stay within the component's bound (the result is dropped).
    const int len = short_code ? 2 * zeros + 1 : 1;
    pos += static_cast<size_t>(len);
    return (word >> (64 - len)) - 1;
  };
  for (int c = 0; c < kNumComponents; ++c) {
    if (pos + component_bits > last) return false;
    nlq.nlq_offset[c] = static_cast<uint16_t>(bits(el_bits));
    nlq.vdr_in_max_int[c] = ue();
    nlq.vdr_in_max[c] = bits(coef_bits);
    nlq.linear_deadzone_slope_int[c] = ue();
    nlq.linear_deadzone_slope[c] = bits(coef_bits);
    nlq.linear_deadzone_threshold_int[c] = ue();
    nlq.linear_deadzone_threshold[c] = bits(coef_bits);
  }
  if (!sure) return false;
  r.Skip(pos - r.position());
  return true;
}

}  // namespace

absl::Status ParseNlqParams(bits::BitReader& r, const RpuHeader& h, RpuNlq& nlq) {
  if (ParseNlqParamsFast(r, h, nlq)) return absl::OkStatus();
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
