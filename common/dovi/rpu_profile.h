// What kind of Dolby Vision an RPU describes: profile (4, 5, 7, 8), enhancement layer type (FEL
// or MEL) and, for profile 8, whether it is the 8.4 (HLG) mapping. Derived only from RPU fields.
#pragma once

#include "common/dovi/rpu.h"

namespace mkvfleet::dovi {

// The enhancement layer an RPU predicts: none (profiles 5, 8), a minimal EL (neutral NLQ, so
// the EL adds nothing and dropping it is lossless) or a full EL (real residual).
enum class ElType {
  kNone,
  kMel,
  kFel,
};
// "MEL", "FEL", or "" for kNone.
const char* ElTypeName(ElType type);

// The Dolby Vision profile the header describes: 5 (vdr_rpu_profile 0, full-range BL), 7 (EL
// residual with a 12-bit VDR), 4 (EL residual otherwise), 8 (no residual), or 0 when none fits.
int DetectProfile(const RpuHeader& header);
// The EL type: kNone without NLQ data, kMel when the NLQ data is neutral, else kFel.
ElType DetectElType(const Rpu& rpu);
// For profile 8: 4 when the mapping is the canonical 8.4 (HLG) mapping that mode 4 writes, else 1
// (8.1 is assumed: the RPU does not code the base layer transfer). 0 for other profiles.
int DetectProfile8Compatibility(const Rpu& rpu);

// The canonical profile 8.4 mapping (HLG base layer to PQ), as the reference tools write it.
const RpuMapping& Profile84Mapping();
// True when `a` and `b` code the same mapping (every coded field equal).
bool SameMapping(const RpuMapping& a, const RpuMapping& b);

}  // namespace mkvfleet::dovi
