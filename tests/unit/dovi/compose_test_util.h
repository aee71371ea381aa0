// Builders shared by the composer tests: headers, curves and NLQ parameters written from real
// numbers into the RPU's coded form (so the tests also exercise the coefficient decoding).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "common/dovi/compose/planes.h"
#include "common/dovi/rpu_header.h"
#include "common/dovi/rpu_mapping.h"

namespace mkvfleet::dovi::testing {

// A profile 7 header: 10-bit BL and EL, 12-bit VDR, L = 23, residual enabled.
RpuHeader Profile7Header();

// Codes `value` as int part + L-bit fraction (the fraction is never negative).
void EncodeFixed(double value, int log2_denom, int64_t& int_part, uint64_t& fraction);

// A polynomial curve over absolute pivots, one coefficient list (c0, c1[, c2]) per piece.
ReshapingCurve PolynomialCurve(const std::vector<int>& pivots,
                               const std::vector<std::vector<double>>& coefficients);
// A one-piece MMR curve over [0, 1023]: `rows` holds order rows of 7 coefficients.
ReshapingCurve MmrCurve(double constant, const std::vector<std::array<double, 7>>& rows);

// Identity curves on all components; with `nlq`, the NLQ of a profile 7 RPU with every
// component given these real parameters.
RpuMapping IdentityMapping();
RpuNlq MakeNlq(int offset, double vdr_in_max, double slope, double threshold);

// A frame whose planes are filled by f(x, y) for luma and g(x, y) for both chroma planes.
template <class F, class G>
compose::Frame420 FillFrame(int width, int height, F luma, G chroma) {
  compose::Frame420 f = compose::Frame420::Make(width, height);
  for (int y = 0; y < f.y.height; ++y)
    for (int x = 0; x < f.y.width; ++x) f.y.at(x, y) = static_cast<uint16_t>(luma(x, y));
  for (int y = 0; y < f.cb.height; ++y) {
    for (int x = 0; x < f.cb.width; ++x) {
      f.cb.at(x, y) = static_cast<uint16_t>(chroma(x, y));
      f.cr.at(x, y) = static_cast<uint16_t>(chroma(x, y));
    }
  }
  return f;
}

}  // namespace mkvfleet::dovi::testing
