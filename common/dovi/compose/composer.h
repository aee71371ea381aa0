// The Dolby Vision composer for one frame: BL (4:2:0) + optional EL + the RPU's mapping -> the
// VDR picture (12-bit 4:2:0 YCbCr for profile 7/8.1). Luma and polynomial chroma go through
// per-RPU tables, MMR chroma is evaluated per pixel, the EL residual is dequantised with the
// NLQ linear dead zone and added before the final rounding. Pure: frames in, frames out.
#pragma once

#include <array>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dovi/compose/coefficients.h"
#include "common/dovi/compose/planes.h"
#include "common/dovi/rpu.h"

namespace mkvfleet::dovi::compose {

// A composer prepared for one RPU's mapping (tables built once). Immutable after Create, so
// one instance may compose many frames, from several threads at once.
class Composer {
 public:
  // Prepares the composer. Errors as DecodeMapping (coefficients.h).
  static absl::StatusOr<Composer> Create(const RpuHeader& header, const RpuMapping& mapping);
  // Same for a parsed RPU. FailedPrecondition when it reuses an earlier RPU's mapping
  // (use_prev_vdr_rpu_flag): the caller keeps that mapping and passes it to the overload above.
  static absl::StatusOr<Composer> Create(const Rpu& rpu);

  const DecodedMapping& mapping() const { return mapping_; }
  // True when the RPU carries NLQ parameters (profile 7), i.e. an EL may be added.
  bool has_residual() const { return mapping_.nlq.has_value(); }

  // Composes one frame into `out` (resized to the BL's size; its buffers are reused).
  // `bl` holds BL codes of bl_bit_depth bits, `el` (may be null: "mapping only", what a profile
  // 8.1 player shows) EL codes of el_bit_depth bits, at the BL's size or half of it per axis
  // (upsampled, see el_upsample.h). Codes above the bit depth are treated as the maximum code.
  // Output samples have vdr_bit_depth bits.
  // Errors: InvalidArgument when a frame is not a consistent 4:2:0 frame, the EL size is not the
  // BL's or half of it, or an EL is given but the RPU has no residual (profile 8, or
  // disable_residual_flag): compose without it then.
  absl::Status Compose(const Frame420& bl, const Frame420* el, Frame420& out) const;
  absl::StatusOr<Frame420> Compose(const Frame420& bl, const Frame420* el = nullptr) const;

 private:
  Composer() = default;

  void ComposeLuma(const Plane16& bl, const Plane16* el, Plane16& out) const;
  void ComposeChroma(const Frame420& bl, const Plane16* el_cb, const Plane16* el_cr,
                     Frame420& out) const;

  DecodedMapping mapping_;
  int max_bl_code_ = 0;
  int max_el_code_ = 0;
  // Per component, per BL code: the mapped value at 2^16 scale, or -(k + 1) for MMR piece k.
  std::array<std::vector<int32_t>, kNumComponents> curve_tables_;
  // Per BL code: the luma output sample without residual.
  std::vector<uint16_t> luma_only_;
  // Per component, per BL code: the code clamped to the curve's pivots, normalised (MMR input).
  std::array<std::vector<double>, kNumComponents> normalised_;
  // Per component, per EL code: the residual at 2^16 scale (empty without NLQ).
  std::array<std::vector<int32_t>, kNumComponents> residual_tables_;
  bool chroma_uses_mmr_ = false;
};

}  // namespace mkvfleet::dovi::compose
