// The RPU's reshaping curves and NLQ parameters decoded from their bitstream form (delta-coded
// pivots, int + fraction or IEEE float coefficients) into plain numbers the composer evaluates.
// Decoding happens once per RPU; the per-pixel code never sees the coded form.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dovi/rpu_header.h"
#include "common/dovi/rpu_mapping.h"
#include "common/dovi/rpu_nlq.h"

namespace mkvfleet::dovi::compose {

// A coefficient's real value. coefficient_data_type 0 (fixed point): int_part + fraction / 2^L
// with L = coefficient_log2_denom; the fraction is never negative, so -1.25 is coded as
// int_part -2, fraction 0.75 * 2^L (FFmpeg get_se_coef, DoViBaker intializeFrame).
// coefficient_data_type 1: `fraction` holds the 32 bits of an IEEE single, int_part is unused.
// Exact in a double for every fixed-point value with |int_part| < 2^(52 - L).
double DecodeCoefficient(int64_t int_part, uint64_t fraction, const RpuHeader& header);

// One piece of a curve, between two pivots, with real coefficients.
struct DecodedPiece {
  bool is_mmr = false;
  int order = 1;                 // polynomial 1..2, MMR 1..3
  std::array<double, 3> poly{};  // c0 + c1 x + c2 x^2
  double mmr_constant = 0;       // MMR: constant + sum over orders k of a[k-1] . t^k
  std::array<std::array<double, kMmrMaxCoeffs>, kMmrMaxOrders> mmr{};
};

// One component's curve: absolute pivots (running sums of the coded deltas, BL codes) and one
// piece per pivot interval.
struct DecodedCurve {
  std::vector<int> pivots;  // num_pivots values, non-decreasing
  std::vector<DecodedPiece> pieces;

  // The piece a BL code falls in: the first k with code < pivots[k + 1], else the last piece
  // (DoViBaker getPivotIndex; FFmpeg/libplacebo compare with the interior pivots the same way).
  int PieceIndex(int code) const;
  // `code` clamped to [pivots.front(), pivots.back()], the input range of the curve.
  int ClampToPivots(int code) const;
};

// NLQ linear dead-zone parameters of one component, as real numbers.
struct DecodedNlq {
  int offset = 0;         // nlq_offset, an EL code
  double vdr_in_max = 0;  // R: the residual is clamped to [-R, R]
  double slope = 0;       // S: linear_deadzone_slope
  double threshold = 0;   // T: linear_deadzone_threshold
};

// Everything the composer needs from one RPU.
struct DecodedMapping {
  int bl_bit_depth = 10;
  int el_bit_depth = 10;
  int vdr_bit_depth = 12;
  std::array<DecodedCurve, kNumComponents> curves;
  // Present when the RPU carries a residual (header.has_nlq(): profile 7).
  std::optional<std::array<DecodedNlq, kNumComponents>> nlq;
};

// Decodes the curves and NLQ of one RPU. Errors: FailedPrecondition when the header codes no
// bit depths (rpu_format & 0x700 != 0); InvalidArgument when a bit depth is outside 8..16, a
// pivot exceeds the BL range, a piece count does not match the pivots, the NLQ presence does not
// match the header, or a coefficient is not finite; Unimplemented for what no public composer
// defines (linear_interp_flag pieces, MMR on luma, nlq_method_idc != 0).
absl::StatusOr<DecodedMapping> DecodeMapping(const RpuHeader& header, const RpuMapping& mapping);

}  // namespace mkvfleet::dovi::compose
