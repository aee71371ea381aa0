// Coefficient formats and the checks that make the per-pixel code safe (pivots in range, piece
// counts, bit depths), done once per RPU.
#include "common/dovi/compose/coefficients.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace mkvfleet::dovi::compose {

double DecodeCoefficient(int64_t int_part, uint64_t fraction, const RpuHeader& header) {
  if (header.coefficient_data_type != 0) {
    return static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(fraction)));
  }
  return static_cast<double>(int_part) +
         std::ldexp(static_cast<double>(fraction),
                    -static_cast<int>(header.coefficient_log2_denom));
}

int DecodedCurve::PieceIndex(int code) const {
  const int n = static_cast<int>(pieces.size());
  for (int k = 0; k + 1 < n; ++k) {
    if (code < pivots[k + 1]) return k;
  }
  return n - 1;
}

int DecodedCurve::ClampToPivots(int code) const {
  return std::clamp(code, pivots.front(), pivots.back());
}

namespace {

const char* const kComponentNames[kNumComponents] = {"Y", "Cb", "Cr"};

absl::StatusOr<DecodedPiece> DecodePiece(const MappingPiece& in, const RpuHeader& h, int c) {
  DecodedPiece out;
  out.is_mmr = in.mapping_idc == 1;
  if (!out.is_mmr) {
    const PolynomialPiece& p = in.poly;
    if (p.linear_interp_flag) {
      return absl::UnimplementedError(
          absl::StrCat("compose: ", kComponentNames[c],
                       " curve uses linear_interp_flag, which FFmpeg and dovi_tool also reject"));
    }
    out.order = static_cast<int>(p.poly_order_minus1) + 1;
    for (int i = 0; i <= out.order; ++i) {
      out.poly[i] = DecodeCoefficient(p.poly_coef_int[i], p.poly_coef[i], h);
    }
  } else {
    if (c == 0) {
      return absl::UnimplementedError(
          "compose: MMR on the luma curve is not defined by any public composer");
    }
    const MmrPiece& m = in.mmr;
    out.order = m.mmr_order_minus1 + 1;
    out.mmr_constant = DecodeCoefficient(m.mmr_constant_int, m.mmr_constant, h);
    for (int k = 0; k < out.order; ++k) {
      for (int j = 0; j < kMmrMaxCoeffs; ++j) {
        out.mmr[k][j] = DecodeCoefficient(m.mmr_coef_int[k][j], m.mmr_coef[k][j], h);
      }
    }
  }
  bool finite = std::isfinite(out.mmr_constant);
  for (double v : out.poly) finite = finite && std::isfinite(v);
  for (const auto& row : out.mmr) {
    for (double v : row) finite = finite && std::isfinite(v);
  }
  if (!finite) {
    return absl::InvalidArgumentError(
        absl::StrCat("compose: ", kComponentNames[c], " curve has a non-finite coefficient"));
  }
  return out;
}

absl::StatusOr<DecodedCurve> DecodeCurve(const ReshapingCurve& in, const RpuHeader& h, int c) {
  DecodedCurve out;
  const int max_code = (1 << h.bl_bit_depth()) - 1;
  int sum = 0;
  for (int i = 0; i < in.num_pivots(); ++i) {
    sum += in.pred_pivot_value[i];
    if (sum > max_code) {
      return absl::InvalidArgumentError(absl::StrCat("compose: ", kComponentNames[c], " pivot ", i,
                                                     " is ", sum, ", above the BL maximum ",
                                                     max_code));
    }
    out.pivots.push_back(sum);
  }
  if (in.pieces.size() != static_cast<size_t>(in.num_pivots() - 1)) {
    return absl::InvalidArgumentError(absl::StrCat("compose: ", kComponentNames[c], " curve has ",
                                                   in.pieces.size(), " pieces for ",
                                                   in.num_pivots(), " pivots"));
  }
  for (const MappingPiece& piece : in.pieces) {
    absl::StatusOr<DecodedPiece> p = DecodePiece(piece, h, c);
    if (!p.ok()) return p.status();
    out.pieces.push_back(*p);
  }
  return out;
}

absl::Status CheckDepth(const char* name, int bits) {
  if (bits < 8 || bits > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("compose: ", name, " bit depth ", bits, " outside 8..16"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DecodedMapping> DecodeMapping(const RpuHeader& h, const RpuMapping& m) {
  if (!h.has_bit_depths()) {
    return absl::FailedPreconditionError(
        "compose: the RPU header codes no bit depths (no sequence info, or rpu_format & 0x700)");
  }
  DecodedMapping out;
  out.bl_bit_depth = h.bl_bit_depth();
  out.el_bit_depth = h.el_bit_depth();
  out.vdr_bit_depth = static_cast<int>(h.vdr_bit_depth_minus8) + 8;
  if (absl::Status s = CheckDepth("BL", out.bl_bit_depth); !s.ok()) return s;
  if (absl::Status s = CheckDepth("VDR", out.vdr_bit_depth); !s.ok()) return s;
  for (int c = 0; c < kNumComponents; ++c) {
    absl::StatusOr<DecodedCurve> curve = DecodeCurve(m.curves[c], h, c);
    if (!curve.ok()) return curve.status();
    out.curves[c] = *std::move(curve);
  }
  if (m.nlq.has_value() != h.has_nlq()) {
    return absl::InvalidArgumentError("compose: NLQ data present/absent against the header");
  }
  if (!m.nlq) return out;
  if (absl::Status s = CheckDepth("EL", out.el_bit_depth); !s.ok()) return s;
  if (m.nlq->nlq_method_idc != 0) {
    return absl::UnimplementedError(absl::StrCat("compose: nlq_method_idc ", m.nlq->nlq_method_idc,
                                                 " (only 0, linear dead zone, is documented)"));
  }
  std::array<DecodedNlq, kNumComponents> nlq;
  for (int c = 0; c < kNumComponents; ++c) {
    const RpuNlq& n = *m.nlq;
    nlq[c].offset = n.nlq_offset[c];
    nlq[c].vdr_in_max =
        DecodeCoefficient(static_cast<int64_t>(n.vdr_in_max_int[c]), n.vdr_in_max[c], h);
    nlq[c].slope = DecodeCoefficient(static_cast<int64_t>(n.linear_deadzone_slope_int[c]),
                                     n.linear_deadzone_slope[c], h);
    nlq[c].threshold = DecodeCoefficient(static_cast<int64_t>(n.linear_deadzone_threshold_int[c]),
                                         n.linear_deadzone_threshold[c], h);
    if (!std::isfinite(nlq[c].vdr_in_max) || !std::isfinite(nlq[c].slope) ||
        !std::isfinite(nlq[c].threshold)) {
      return absl::InvalidArgumentError(
          absl::StrCat("compose: ", kComponentNames[c], " NLQ has a non-finite parameter"));
    }
  }
  out.nlq = nlq;
  return out;
}

}  // namespace mkvfleet::dovi::compose
