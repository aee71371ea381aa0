// MMR in double precision. DoViBaker floors every product at 2^-20; doubles keep ~2^-52, so
// results can differ from it by one 2^-16 step where a value lies on a step boundary.
#include "common/dovi/compose/mmr.h"

#include <cmath>

#include "common/dovi/compose/signal_scale.h"

namespace mkvfleet::dovi::compose {

double EvaluateMmr(const DecodedPiece& piece, double y, double u, double v) {
  const double t[kMmrMaxCoeffs] = {y, u, v, y * u, y * v, u * v, y * u * v};
  double out = piece.mmr_constant;
  double power[kMmrMaxCoeffs] = {1, 1, 1, 1, 1, 1, 1};
  for (int k = 0; k < piece.order; ++k) {
    for (int j = 0; j < kMmrMaxCoeffs; ++j) {
      power[j] *= t[j];
      out += piece.mmr[k][j] * power[j];
    }
  }
  return out;
}

namespace {

// The same sum as EvaluateMmr with the order fixed at compile time, so every loop unrolls.
template <int kOrder>
void MmrRow(const DecodedPiece& p, const double* y, const double* u, const double* v, int n,
            int32_t* out) {
  for (int i = 0; i < n; ++i) {
    const double t[kMmrMaxCoeffs] = {
        y[i], u[i], v[i], y[i] * u[i], y[i] * v[i], u[i] * v[i], y[i] * u[i] * v[i]};
    double acc = p.mmr_constant;
    double power[kMmrMaxCoeffs] = {1, 1, 1, 1, 1, 1, 1};
    for (int k = 0; k < kOrder; ++k) {
      for (int j = 0; j < kMmrMaxCoeffs; ++j) {
        power[j] *= t[j];
        acc += p.mmr[k][j] * power[j];
      }
    }
    out[i] = ToV16(acc);
  }
}

}  // namespace

void MmrRowV16(const DecodedPiece& piece, const double* y, const double* u, const double* v, int n,
               int32_t* out) {
  switch (piece.order) {
    case 1:
      return MmrRow<1>(piece, y, u, v, n, out);
    case 2:
      return MmrRow<2>(piece, y, u, v, n, out);
    default:
      return MmrRow<3>(piece, y, u, v, n, out);
  }
}

}  // namespace mkvfleet::dovi::compose
