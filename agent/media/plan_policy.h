// Which plan a source gets: the pure policy, decided from the probed MediaInfo, the configured
// policies and an admin's per-job override. No I/O; the plan step records the decision.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/media/media_info.h"

namespace mkvfleet::agent::media {

// Plan names as the coordinator and mkvctl show them.
inline constexpr char kPlanDvConvert[] = "dv-convert";    // P7 -> 8.1, lossless remux
inline constexpr char kPlanDvReencode[] = "dv-reencode";  // P7 -> 8.1, BL re-encoded by x265
inline constexpr char kPlanStandard[] = "standard";       // HDR10/SDR re-encode
inline constexpr char kPlanSkip[] = "skip";               // override only: do nothing

// What to do with a profile 7 source whose enhancement layer is a full EL (FEL).
enum class FelPolicy { kSkip, kConvert, kReencode };
// What to do with a source without Dolby Vision (HDR10, HLG, SDR).
enum class StandardPolicy { kSkip, kReencode };

// "skip" / "convert" / "reencode". InvalidArgument listing the valid names.
absl::StatusOr<FelPolicy> ParseFelPolicy(absl::string_view text);
absl::StatusOr<StandardPolicy> ParseStandardPolicy(absl::string_view text);

struct PlanPolicy {
  FelPolicy fel = FelPolicy::kSkip;
  StandardPolicy standard = StandardPolicy::kSkip;
};

// The outcome: a plan to run, or a skip with the reason the job shows.
struct PlanDecision {
  std::string plan;                   // one of kPlan*, "" when skipped
  std::string skip_reason;            // set when plan is ""
  std::vector<std::string> warnings;  // for the job log (e.g. FEL converted with loss)
  int dv_profile = 0;                 // the profile the decision was based on (0 = not DV)
  std::string el_type;                // "MEL", "FEL" or ""

  bool skipped() const { return plan.empty(); }
};

// Decides the plan (see the table in plan_policy.cc). `override_plan` is "" or one of the kPlan*
// names. Errors: InvalidArgument for an unknown override or one that cannot apply to this source
// (e.g. dv-convert on a non-Dolby-Vision file), naming both.
absl::StatusOr<PlanDecision> ChoosePlan(const MediaInfo& info, const PlanPolicy& policy,
                                        absl::string_view override_plan);

}  // namespace mkvfleet::agent::media
