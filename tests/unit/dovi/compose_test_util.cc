// Coded-form builders for the composer tests.
#include "tests/unit/dovi/compose_test_util.h"

#include <cmath>

namespace mkvfleet::dovi::testing {

RpuHeader Profile7Header() {
  RpuHeader h = Profile8Header();
  h.disable_residual_flag = false;
  h.el_spatial_resampling_filter_flag = true;
  return h;
}

void EncodeFixed(double value, int log2_denom, int64_t& int_part, uint64_t& fraction) {
  const double scale = std::ldexp(1.0, log2_denom);
  const double ip = std::floor(value);
  double frac = std::round((value - ip) * scale);
  int_part = static_cast<int64_t>(ip);
  if (frac >= scale) {
    ++int_part;
    frac = 0;
  }
  fraction = static_cast<uint64_t>(frac);
}

ReshapingCurve PolynomialCurve(const std::vector<int>& pivots,
                               const std::vector<std::vector<double>>& coefficients) {
  ReshapingCurve c;
  c.num_pivots_minus2 = static_cast<uint32_t>(pivots.size() - 2);
  int prev = 0;
  for (size_t i = 0; i < pivots.size(); ++i) {
    c.pred_pivot_value[i] = static_cast<uint16_t>(pivots[i] - prev);  // delta coded
    prev = pivots[i];
  }
  for (const std::vector<double>& coefs : coefficients) {
    MappingPiece piece;
    piece.poly.poly_order_minus1 = static_cast<uint32_t>(coefs.size() - 2);
    for (size_t j = 0; j < coefs.size(); ++j) {
      EncodeFixed(coefs[j], 23, piece.poly.poly_coef_int[j], piece.poly.poly_coef[j]);
    }
    c.pieces.push_back(piece);
  }
  return c;
}

ReshapingCurve MmrCurve(double constant, const std::vector<std::array<double, 7>>& rows) {
  ReshapingCurve c;
  c.pred_pivot_value[1] = 1023;
  MappingPiece piece;
  piece.mapping_idc = 1;
  piece.mmr.mmr_order_minus1 = static_cast<uint8_t>(rows.size() - 1);
  EncodeFixed(constant, 23, piece.mmr.mmr_constant_int, piece.mmr.mmr_constant);
  for (size_t k = 0; k < rows.size(); ++k) {
    for (int j = 0; j < 7; ++j) {
      EncodeFixed(rows[k][j], 23, piece.mmr.mmr_coef_int[k][j], piece.mmr.mmr_coef[k][j]);
    }
  }
  c.pieces.push_back(piece);
  return c;
}

RpuMapping IdentityMapping() {
  RpuMapping m;
  for (ReshapingCurve& c : m.curves) c.SetIdentity();
  return m;
}

RpuNlq MakeNlq(int offset, double vdr_in_max, double slope, double threshold) {
  RpuNlq n;
  n.nlq_pred_pivot_value = {0, 1023};
  for (int c = 0; c < kNumComponents; ++c) {
    n.nlq_offset[c] = static_cast<uint16_t>(offset);
    int64_t ip = 0;
    EncodeFixed(vdr_in_max, 23, ip, n.vdr_in_max[c]);
    n.vdr_in_max_int[c] = static_cast<uint64_t>(ip);
    EncodeFixed(slope, 23, ip, n.linear_deadzone_slope[c]);
    n.linear_deadzone_slope_int[c] = static_cast<uint64_t>(ip);
    EncodeFixed(threshold, 23, ip, n.linear_deadzone_threshold[c]);
    n.linear_deadzone_threshold_int[c] = static_cast<uint64_t>(ip);
  }
  return n;
}

}  // namespace mkvfleet::dovi::testing
