// NLQ linear dead-zone dequantisation: turns an (upsampled) enhancement-layer code into the
// residual the composer adds to the mapped base layer. Depends on one EL code only, so the
// composer tabulates it once per RPU.
#pragma once

#include <cstdint>
#include <vector>

#include "common/dovi/compose/coefficients.h"

namespace mkvfleet::dovi::compose {

// The residual of EL code `el` in normalised VDR units: with d = el - offset and s = sign(d),
// 0 when d == 0, else s * ((|d| - 1/2) * slope + threshold) clamped to [-vdr_in_max,
// vdr_in_max]. Same as DoViBaker nonLinearInverseQuantization and vs-nlq MapNLQ (their integer
// code, divided out); the scale does not depend on the EL bit depth.
double NlqResidual(const DecodedNlq& nlq, int el);

// floor(2^16 * NlqResidual) for every EL code 0 .. 2^el_bits - 1.
std::vector<int32_t> BuildResidualTable(const DecodedNlq& nlq, int el_bits);

}  // namespace mkvfleet::dovi::compose
