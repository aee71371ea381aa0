// FEL verdict from measured changes.
#include "common/dovi/analyze/fel_verdict.h"

#include "absl/strings/str_format.h"

namespace mkvfleet::dovi::analyze {

absl::string_view FelClassName(FelClass c) {
  switch (c) {
    case FelClass::kMel:
      return "mel";
    case FelClass::kSimple:
      return "simple";
    case FelClass::kComplex:
      return "complex";
  }
  return "simple";
}

FelVerdict ClassifyFel(absl::Span<const FrameElChange> frames) {
  FelVerdict verdict;
  if (frames.empty()) {
    verdict.reason = "no frame was measured";
    return verdict;
  }
  const FrameElChange* worst = &frames.front();
  ElChange total;
  for (const FrameElChange& f : frames) {
    total.Add(f.change);
    if (f.change.visible_share() > worst->change.visible_share()) worst = &f;
  }
  const bool complex = worst->change.visible_share() >= kComplexMinVisibleShare;
  verdict.fel_class = complex ? FelClass::kComplex : FelClass::kSimple;
  verdict.reason = absl::StrFormat(
      "the EL changes %.2f%% of frame %d's pixels by more than %d 10-bit code values (%s %.0f%% "
      "is complex); largest change %.2f code values, %.1f nits",
      100.0 * worst->change.visible_share(), worst->frame, kVisibleThreshold12 / 4,
      complex ? ">=" : "<", 100.0 * kComplexMinVisibleShare, total.max_change_10(),
      total.max_change_nits);
  return verdict;
}

}  // namespace mkvfleet::dovi::analyze
