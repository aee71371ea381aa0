// Per-frame composition over the per-RPU tables. Luma: one table lookup (plus one for the
// residual) per sample. Chroma: a lookup for polynomial pieces, MMR per sample otherwise, with
// the BL luma decimated to the chroma grid one row at a time.
#include "common/dovi/compose/composer.h"

#include <algorithm>
#include <cmath>

#include "common/dovi/compose/el_upsample.h"
#include "common/dovi/compose/luma_for_chroma.h"
#include "common/dovi/compose/mmr.h"
#include "common/dovi/compose/nlq.h"
#include "common/dovi/compose/polynomial.h"
#include "common/dovi/compose/signal_scale.h"

namespace mkvfleet::dovi::compose {

absl::StatusOr<Composer> Composer::Create(const RpuHeader& header, const RpuMapping& mapping) {
  absl::StatusOr<DecodedMapping> decoded = DecodeMapping(header, mapping);
  if (!decoded.ok()) return decoded.status();
  Composer c;
  c.mapping_ = *std::move(decoded);
  const DecodedMapping& m = c.mapping_;
  c.max_bl_code_ = (1 << m.bl_bit_depth) - 1;
  c.max_el_code_ = (1 << m.el_bit_depth) - 1;
  for (int k = 0; k < kNumComponents; ++k) {
    c.curve_tables_[k] = BuildCurveTable(m.curves[k], m.bl_bit_depth);
    c.normalised_[k].resize(static_cast<size_t>(c.max_bl_code_) + 1);
    for (int code = 0; code <= c.max_bl_code_; ++code) {
      c.normalised_[k][code] =
          std::ldexp(static_cast<double>(m.curves[k].ClampToPivots(code)), -m.bl_bit_depth);
    }
    if (k > 0) {
      for (const DecodedPiece& p : m.curves[k].pieces) c.chroma_uses_mmr_ |= p.is_mmr;
    }
    if (m.nlq) c.residual_tables_[k] = BuildResidualTable((*m.nlq)[k], m.el_bit_depth);
  }
  c.luma_only_.resize(c.curve_tables_[0].size());
  for (size_t code = 0; code < c.luma_only_.size(); ++code) {
    c.luma_only_[code] = ReconstructSample(c.curve_tables_[0][code], 0, m.vdr_bit_depth);
  }
  return c;
}

absl::StatusOr<Composer> Composer::Create(const Rpu& rpu) {
  if (!rpu.mapping) {
    return absl::FailedPreconditionError(
        "compose: the RPU reuses an earlier mapping (use_prev_vdr_rpu_flag); pass that mapping");
  }
  return Create(rpu.header, *rpu.mapping);
}

void Composer::ComposeLuma(const Plane16& bl, const Plane16* el, Plane16& out) const {
  const size_t n = bl.samples.size();
  const uint16_t* src = bl.samples.data();
  uint16_t* dst = out.samples.data();
  if (el == nullptr) {
    for (size_t i = 0; i < n; ++i) dst[i] = luma_only_[std::min<int>(src[i], max_bl_code_)];
    return;
  }
  const int32_t* curve = curve_tables_[0].data();
  const int32_t* residual = residual_tables_[0].data();
  const uint16_t* e = el->samples.data();
  const int bits = mapping_.vdr_bit_depth;
  for (size_t i = 0; i < n; ++i) {
    dst[i] = ReconstructSample(curve[std::min<int>(src[i], max_bl_code_)],
                               residual[std::min<int>(e[i], max_el_code_)], bits);
  }
}

void Composer::ComposeChroma(const Frame420& bl, const Plane16* el_cb, const Plane16* el_cr,
                             Frame420& out) const {
  const size_t cw = static_cast<size_t>(bl.cb.width);
  const int bits = mapping_.vdr_bit_depth;
  // One chroma row at a time: the co-sited luma and the normalised MMR inputs, then the mapped
  // values of each component, then the residual and the rounding.
  std::vector<uint16_t> luma_row(cw);
  std::vector<double> ny(cw), nu(cw), nv(cw);
  std::vector<int32_t> v16(cw);
  const Plane16* bl_planes[3] = {nullptr, &bl.cb, &bl.cr};
  const Plane16* el_planes[3] = {nullptr, el_cb, el_cr};
  Plane16* out_planes[3] = {nullptr, &out.cb, &out.cr};
  for (int cy = 0; cy < bl.cb.height; ++cy) {
    if (chroma_uses_mmr_) {
      LumaForChromaRow(bl.y, cy, luma_row.data());
      const uint16_t* u = bl.cb.row(cy);
      const uint16_t* v = bl.cr.row(cy);
      for (size_t i = 0; i < cw; ++i) {
        ny[i] = normalised_[0][std::min<int>(luma_row[i], max_bl_code_)];
        nu[i] = normalised_[1][std::min<int>(u[i], max_bl_code_)];
        nv[i] = normalised_[2][std::min<int>(v[i], max_bl_code_)];
      }
    }
    for (int c = 1; c <= 2; ++c) {
      const DecodedCurve& curve = mapping_.curves[c];
      const uint16_t* own = bl_planes[c]->row(cy);
      if (curve.pieces.size() == 1 && curve.pieces[0].is_mmr) {
        MmrRowV16(curve.pieces[0], ny.data(), nu.data(), nv.data(), static_cast<int>(cw),
                  v16.data());
      } else {
        const int32_t* table = curve_tables_[c].data();
        for (size_t i = 0; i < cw; ++i) {
          v16[i] = table[std::min<int>(own[i], max_bl_code_)];
          if (v16[i] < 0)
            v16[i] = ToV16(EvaluateMmr(curve.pieces[-v16[i] - 1], ny[i], nu[i], nv[i]));
        }
      }
      uint16_t* dst = out_planes[c]->row(cy);
      if (el_planes[c] == nullptr) {
        for (size_t i = 0; i < cw; ++i) dst[i] = ReconstructSample(v16[i], 0, bits);
      } else {
        const uint16_t* e = el_planes[c]->row(cy);
        const int32_t* residual = residual_tables_[c].data();
        for (size_t i = 0; i < cw; ++i) {
          dst[i] = ReconstructSample(v16[i], residual[std::min<int>(e[i], max_el_code_)], bits);
        }
      }
    }
  }
}

absl::Status Composer::Compose(const Frame420& bl, const Frame420* el, Frame420& out) const {
  if (absl::Status s = CheckFrame420(bl, "compose: BL"); !s.ok()) return s;
  Plane16 up[kNumComponents];
  const Plane16* el_planes[kNumComponents] = {nullptr, nullptr, nullptr};
  if (el != nullptr) {
    if (!has_residual()) {
      return absl::InvalidArgumentError(
          "compose: an EL was given but the RPU carries no residual (no NLQ); compose without it");
    }
    if (absl::Status s = CheckFrame420(*el, "compose: EL"); !s.ok()) return s;
    const Plane16* in[kNumComponents] = {&el->y, &el->cb, &el->cr};
    const Plane16* target[kNumComponents] = {&bl.y, &bl.cb, &bl.cr};
    for (int k = 0; k < kNumComponents; ++k) {
      el_planes[k] = in[k];
      if (in[k]->width == target[k]->width && in[k]->height == target[k]->height) continue;
      absl::StatusOr<Plane16> p =
          UpsampleElPlane(*in[k], k == 0 ? PlaneKind::kLuma : PlaneKind::kChroma, target[k]->width,
                          target[k]->height, max_el_code_);
      if (!p.ok()) return p.status();
      up[k] = *std::move(p);
      el_planes[k] = &up[k];
    }
  }
  if (out.y.width != bl.y.width || out.y.height != bl.y.height || !CheckFrame420(out, "").ok()) {
    out = Frame420::Make(bl.y.width, bl.y.height);
  }
  ComposeLuma(bl.y, el_planes[0], out.y);
  ComposeChroma(bl, el_planes[1], el_planes[2], out);
  return absl::OkStatus();
}

absl::StatusOr<Frame420> Composer::Compose(const Frame420& bl, const Frame420* el) const {
  Frame420 out;
  if (absl::Status s = Compose(bl, el, out); !s.ok()) return s;
  return out;
}

}  // namespace mkvfleet::dovi::compose
