// The verdict on a full enhancement layer (FEL) from measured picture changes: does dropping the
// EL (the lossless profile 7 -> 8.1 conversion) lose something a viewer would see? The thresholds
// are named here so the policy and its tests read the same numbers.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/dovi/analyze/el_change.h"

namespace mkvfleet::dovi::analyze {

// An EL is complex when at least one sampled frame has this share of its luma samples changed by
// a visible amount (> kVisibleThreshold12). One frame suffices because an EL usually matters in
// some scenes only; 1% of a frame (a face, a sky gradient, 20,000 samples of 1080p) is a region a
// viewer notices, while scattered edge pixels and film-grain dither stay well below it.
inline constexpr double kComplexMinVisibleShare = 0.01;

enum class FelClass {
  kMel,      // the EL is neutral by its NLQ parameters (MEL): it adds nothing
  kSimple,   // an FEL whose changes stay below the complex threshold: dropping it is safe
  kComplex,  // an FEL that visibly changes a meaningful part of some frame: bake it in
};

// "mel", "simple", "complex" (the JSON values of `fel_class`).
absl::string_view FelClassName(FelClass c);

// The measured change of one sampled frame (display-order frame number).
struct FrameElChange {
  int64_t frame = 0;
  ElChange change;
};

struct FelVerdict {
  FelClass fel_class = FelClass::kSimple;
  std::string reason;  // one line, the numbers that decided it
};

// kComplex when some frame's visible_share() >= kComplexMinVisibleShare, else kSimple (also for
// an empty list, whose reason says nothing was measured). Never kMel: that is decided from the
// RPUs before anything is decoded.
FelVerdict ClassifyFel(absl::Span<const FrameElChange> frames);

}  // namespace mkvfleet::dovi::analyze
