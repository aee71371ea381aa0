// Multivariate multiple regression (MMR): how profile 7/8 RPUs map chroma. Each chroma output
// depends on the co-sited luma and both chroma BL samples, so it is evaluated per pixel.
#pragma once

#include <cstdint>

#include "common/dovi/compose/coefficients.h"

namespace mkvfleet::dovi::compose {

// constant + sum over k = 1..order, j = 0..6 of a[k-1][j] * t_j^k, with the base terms
// t = [y, u, v, y*u, y*v, u*v, y*u*v] of the normalised BL samples (order 2 squares each term,
// order 3 cubes it; no other cross terms). Term order: DoViBaker mmrMapping, libplacebo
// reshape_mmr; checked on dovi_tool's fel_orig.bin, whose neutral axis maps to 0.5.
// REQUIRES: piece.is_mmr.
double EvaluateMmr(const DecodedPiece& piece, double y, double u, double v);

// EvaluateMmr over a row of BL samples, each already clamped to its own component's pivot range
// and normalised by 2^bl_bit_depth (DoViBaker mmrMapping), floored to the 2^16 scale
// (signal_scale.h): out[i] for (y[i], u[i], v[i]), y being the luma co-sited with the chroma
// sample (luma_for_chroma.h). The composer's hot loop (written for the vectoriser).
void MmrRowV16(const DecodedPiece& piece, const double* y, const double* u, const double* v, int n,
               int32_t* out);

}  // namespace mkvfleet::dovi::compose
