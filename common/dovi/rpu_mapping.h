// rpu_data_mapping(): the prediction curves that map the base layer to the VDR signal, one curve
// per component, split at pivots into pieces that are polynomials (luma) or MMR (chroma).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "common/bits/bit_reader.h"
#include "common/bits/bit_writer.h"
#include "common/dovi/rpu_header.h"
#include "common/dovi/rpu_nlq.h"

namespace mkvfleet::dovi {

inline constexpr int kMaxPivots = 9;      // num_pivots_minus2 is at most 7
inline constexpr int kMmrMaxCoeffs = 7;   // coefficients per MMR order
inline constexpr int kMmrMaxOrders = 3;   // mmr_order_minus1 is at most 2
inline constexpr int kMaxPolyCoeffs = 3;  // poly_order_minus1 is at most 1

// mapping_idc 0: a polynomial of order poly_order_minus1 + 1, or a linear interpolation.
struct PolynomialPiece {
  uint32_t poly_order_minus1 = 0;
  bool linear_interp_flag = false;                      // only coded when poly_order_minus1 == 0
  std::array<int64_t, kMaxPolyCoeffs> poly_coef_int{};  // coded when coefficient_data_type == 0
  std::array<uint64_t, kMaxPolyCoeffs> poly_coef{};
  // With linear_interp_flag: the value at this pivot, and at the next one for the last piece.
  std::array<uint64_t, 2> pred_linear_interp_value_int{};
  std::array<uint64_t, 2> pred_linear_interp_value{};
};

// mapping_idc 1: multivariate multiple regression over the three components.
struct MmrPiece {
  uint8_t mmr_order_minus1 = 0;
  int64_t mmr_constant_int = 0;
  uint64_t mmr_constant = 0;
  std::array<std::array<int64_t, kMmrMaxCoeffs>, kMmrMaxOrders> mmr_coef_int{};
  std::array<std::array<uint64_t, kMmrMaxCoeffs>, kMmrMaxOrders> mmr_coef{};
};

// One piece of a curve, between two pivots. Only the member matching mapping_idc is coded.
struct MappingPiece {
  uint32_t mapping_idc = 0;  // 0 polynomial, 1 MMR
  PolynomialPiece poly;
  MmrPiece mmr;
};

// The curve of one component: num_pivots_minus2 + 2 pivots (delta coded, bl_bit_depth bits each)
// and num_pivots_minus2 + 1 pieces.
struct ReshapingCurve {
  uint32_t num_pivots_minus2 = 0;
  std::array<uint16_t, kMaxPivots> pred_pivot_value{};
  std::vector<MappingPiece> pieces;

  int num_pivots() const { return static_cast<int>(num_pivots_minus2) + 2; }
  // Sets the identity curve of profile 8.1: pivots 0 and 1023, one linear piece y = x.
  void SetIdentity();
  // True when the curve is exactly what SetIdentity() makes.
  bool IsIdentity() const;
};

// The mapping section. `nlq` is present exactly when header.has_nlq() (profile 7).
struct RpuMapping {
  uint64_t vdr_rpu_id = 0;
  uint64_t mapping_color_space = 0;
  uint64_t mapping_chroma_format_idc = 0;
  std::array<ReshapingCurve, kNumComponents> curves;
  uint64_t num_x_partitions_minus1 = 0;
  uint64_t num_y_partitions_minus1 = 0;
  std::optional<RpuNlq> nlq;
};

// Reads rpu_data_mapping() including the NLQ data when header.has_nlq(). Returns
// InvalidArgument naming the field for out-of-range values (num_pivots_minus2 > 7, mapping_idc
// > 1, poly_order_minus1 > 1, mmr_order_minus1 > 2), OutOfRange when the data ends.
absl::Status ParseRpuMapping(bits::BitReader& reader, const RpuHeader& header, RpuMapping& mapping);
// Writes the mapping. Returns InvalidArgument when it is inconsistent (piece count not matching
// the pivots, NLQ presence not matching the header).
absl::Status WriteRpuMapping(const RpuMapping& mapping, const RpuHeader& header,
                             bits::BitWriter& writer);

}  // namespace mkvfleet::dovi
