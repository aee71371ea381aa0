// Polynomial pieces, evaluated in double precision (exact for the coded coefficients: an L = 23
// coefficient times x^2 at 10 bits needs ~51 bits) and floored to the 2^16 scale.
#include "common/dovi/compose/polynomial.h"

#include <cmath>

#include "common/dovi/compose/signal_scale.h"

namespace mkvfleet::dovi::compose {

double EvaluatePolynomial(const DecodedPiece& piece, double x) {
  return piece.poly[0] + x * (piece.poly[1] + x * piece.poly[2]);
}

int32_t PolynomialV16(const DecodedCurve& curve, int code, int bl_bits) {
  const DecodedPiece& piece = curve.pieces[curve.PieceIndex(code)];
  const double x = std::ldexp(static_cast<double>(curve.ClampToPivots(code)), -bl_bits);
  return ToV16(EvaluatePolynomial(piece, x));
}

std::vector<int32_t> BuildCurveTable(const DecodedCurve& curve, int bl_bits) {
  std::vector<int32_t> table(size_t{1} << bl_bits);
  for (int code = 0; code < static_cast<int>(table.size()); ++code) {
    const int k = curve.PieceIndex(code);
    table[code] = curve.pieces[k].is_mmr ? -(k + 1) : PolynomialV16(curve, code, bl_bits);
  }
  return table;
}

}  // namespace mkvfleet::dovi::compose
