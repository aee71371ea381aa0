// Profile and EL detection, and the canonical profile 8.4 mapping table.
#include "common/dovi/rpu_profile.h"

namespace mkvfleet::dovi {
namespace {

bool SamePiece(const MappingPiece& a, const MappingPiece& b) {
  if (a.mapping_idc != b.mapping_idc) return false;
  if (a.mapping_idc == 0) {
    const PolynomialPiece& p = a.poly;
    const PolynomialPiece& q = b.poly;
    return p.poly_order_minus1 == q.poly_order_minus1 &&
           p.linear_interp_flag == q.linear_interp_flag && p.poly_coef_int == q.poly_coef_int &&
           p.poly_coef == q.poly_coef &&
           p.pred_linear_interp_value_int == q.pred_linear_interp_value_int &&
           p.pred_linear_interp_value == q.pred_linear_interp_value;
  }
  const MmrPiece& m = a.mmr;
  const MmrPiece& n = b.mmr;
  return m.mmr_order_minus1 == n.mmr_order_minus1 && m.mmr_constant_int == n.mmr_constant_int &&
         m.mmr_constant == n.mmr_constant && m.mmr_coef_int == n.mmr_coef_int &&
         m.mmr_coef == n.mmr_coef;
}

MappingPiece Poly(std::array<int64_t, 3> ints, std::array<uint64_t, 3> coefs) {
  MappingPiece p;
  p.mapping_idc = 0;
  p.poly.poly_order_minus1 = 1;
  p.poly.poly_coef_int = ints;
  p.poly.poly_coef = coefs;
  return p;
}

MappingPiece Mmr(int64_t constant_int, uint64_t constant,
                 std::array<std::array<int64_t, kMmrMaxCoeffs>, kMmrMaxOrders> ints,
                 std::array<std::array<uint64_t, kMmrMaxCoeffs>, kMmrMaxOrders> coefs) {
  MappingPiece p;
  p.mapping_idc = 1;
  p.mmr.mmr_order_minus1 = 2;
  p.mmr.mmr_constant_int = constant_int;
  p.mmr.mmr_constant = constant;
  p.mmr.mmr_coef_int = ints;
  p.mmr.mmr_coef = coefs;
  return p;
}

// Values as coded in the reference 8.4 sample (tests/data/dovi/rpu/profile84.bin).
RpuMapping MakeProfile84Mapping() {
  RpuMapping m;
  ReshapingCurve& luma = m.curves[0];
  luma.num_pivots_minus2 = 7;
  luma.pred_pivot_value = {63, 69, 230, 256, 256, 37, 16, 8, 7};
  luma.pieces = {
      Poly({-1, 1, -3}, {7978928, 8332855, 4889184}),
      Poly({-1, 1, -2}, {8269552, 5186604, 3909327}),
      Poly({0, 0, -1}, {1317527, 5338528, 7440486}),
      Poly({0, 0, 0}, {2119979, 2065496, 2288524}),
      Poly({0, -2, 1}, {7982780, 5409990, 1585336}),
      Poly({6, -14, 8}, {3460436, 3197328, 615464}),
      Poly({13, -30, 16}, {3921968, 6820672, 5546752}),
      Poly({28, -62, 34}, {1947392, 1244640, 6094272}),
  };
  for (int c = 1; c < kNumComponents; ++c) {
    m.curves[c].num_pivots_minus2 = 0;
    m.curves[c].pred_pivot_value = {0, 1023};
  }
  m.curves[1].pieces = {
      Mmr(1, 1150183,
          {{{-1, -2, -5, 2, 5, 9, -12}, {-1, -1, 3, -1, -5, -12, 18}, {-1, 0, -2, 0, 2, 7, -19}}},
          {{{87355, 6228986, 642500, 1023296, 6569512, 5128216, 4317296},
            {8299905, 5819931, 2324124, 7273546, 1562484, 3679480, 6357360},
            {8172981, 3261951, 5970055, 927142, 3525840, 5110348, 6236848}}})};
  m.curves[2].pieces = {
      Mmr(-2, 6266112,
          {{{4, 0, 5, -2, -8, -1, 1}, {-4, -1, -6, 1, 12, 0, -4}, {1, 0, 2, -1, -8, -1, 4}}},
          {{{193104, 5369128, 2553116, 8009648, 2772020, 3122453, 2961581},
            {6769788, 2565605, 7864496, 4777288, 649616, 7036536, 1666406},
            {406265, 2901521, 2680224, 146340, 1008052, 4366810, 5080852}}})};
  return m;
}

}  // namespace

const char* ElTypeName(ElType type) {
  switch (type) {
    case ElType::kMel:
      return "MEL";
    case ElType::kFel:
      return "FEL";
    case ElType::kNone:
      break;
  }
  return "";
}

int DetectProfile(const RpuHeader& h) {
  if (h.vdr_rpu_profile == 0) return h.bl_video_full_range_flag ? 5 : 0;
  if (h.vdr_rpu_profile != 1) return 0;
  if (h.el_spatial_resampling_filter_flag && !h.disable_residual_flag) {
    return h.vdr_bit_depth_minus8 == 4 ? 7 : 4;
  }
  return 8;
}

ElType DetectElType(const Rpu& rpu) {
  if (!rpu.mapping || !rpu.mapping->nlq) return ElType::kNone;
  return rpu.mapping->nlq->IsNeutral() ? ElType::kMel : ElType::kFel;
}

int DetectProfile8Compatibility(const Rpu& rpu) {
  if (DetectProfile(rpu.header) != 8) return 0;
  return rpu.mapping && SameMapping(*rpu.mapping, Profile84Mapping()) ? 4 : 1;
}

const RpuMapping& Profile84Mapping() {
  static const RpuMapping kMapping = MakeProfile84Mapping();
  return kMapping;
}

bool SameMapping(const RpuMapping& a, const RpuMapping& b) {
  if (a.vdr_rpu_id != b.vdr_rpu_id || a.mapping_color_space != b.mapping_color_space ||
      a.mapping_chroma_format_idc != b.mapping_chroma_format_idc ||
      a.num_x_partitions_minus1 != b.num_x_partitions_minus1 ||
      a.num_y_partitions_minus1 != b.num_y_partitions_minus1 ||
      a.nlq.has_value() != b.nlq.has_value()) {
    return false;
  }
  for (int c = 0; c < kNumComponents; ++c) {
    const ReshapingCurve& x = a.curves[c];
    const ReshapingCurve& y = b.curves[c];
    if (x.num_pivots_minus2 != y.num_pivots_minus2 || x.pieces.size() != y.pieces.size())
      return false;
    for (int i = 0; i < x.num_pivots(); ++i) {
      if (x.pred_pivot_value[i] != y.pred_pivot_value[i]) return false;
    }
    for (size_t i = 0; i < x.pieces.size(); ++i) {
      if (!SamePiece(x.pieces[i], y.pieces[i])) return false;
    }
  }
  if (a.nlq) {
    const RpuNlq& n = *a.nlq;
    const RpuNlq& o = *b.nlq;
    return n.nlq_method_idc == o.nlq_method_idc &&
           n.nlq_pred_pivot_value == o.nlq_pred_pivot_value && n.nlq_offset == o.nlq_offset &&
           n.vdr_in_max_int == o.vdr_in_max_int && n.vdr_in_max == o.vdr_in_max &&
           n.linear_deadzone_slope_int == o.linear_deadzone_slope_int &&
           n.linear_deadzone_slope == o.linear_deadzone_slope &&
           n.linear_deadzone_threshold_int == o.linear_deadzone_threshold_int &&
           n.linear_deadzone_threshold == o.linear_deadzone_threshold;
  }
  return true;
}

}  // namespace mkvfleet::dovi
