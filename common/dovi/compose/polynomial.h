// Polynomial reshaping: the luma curve (and chroma curves coded as polynomials) maps one BL
// sample to the VDR signal through the piece its value falls in. Depends on one sample only, so
// the composer tabulates it once per RPU for every BL code.
#pragma once

#include <cstdint>
#include <vector>

#include "common/dovi/compose/coefficients.h"

namespace mkvfleet::dovi::compose {

// c0 + c1 x + c2 x^2 (terms above the piece's order are zero). REQUIRES: !piece.is_mmr.
double EvaluatePolynomial(const DecodedPiece& piece, double x);

// The mapped value of BL code `code` at 2^16 scale (see signal_scale.h): the code is clamped to
// the curve's pivot range, normalised as x = code / 2^bl_bits (DoViBaker's normalisation; the
// RPU's 1.0 is 2^bits codes), and evaluated in its piece. REQUIRES: the piece at `code` is a
// polynomial.
int32_t PolynomialV16(const DecodedCurve& curve, int code, int bl_bits);

// For every BL code 0 .. 2^bl_bits - 1: PolynomialV16 where the code falls in a polynomial
// piece, and -(k + 1) where it falls in MMR piece k (the caller evaluates those per pixel).
std::vector<int32_t> BuildCurveTable(const DecodedCurve& curve, int bl_bits);

}  // namespace mkvfleet::dovi::compose
