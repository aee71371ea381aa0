// The planning table:
//   no video track, non-HEVC video               -> skip (reason)
//   Dolby Vision profile 8 (any compatibility)   -> skip: already what we make
//   profile 7 MEL                                -> dv-convert
//   profile 7 FEL                                -> fel policy: skip (reason) | dv-convert (with a
//                                                   warning: the FEL residual is lost) |
//                                                   dv-reencode
//   other Dolby Vision profiles (4, 5)           -> skip (reason)
//   HDR10 / HLG / SDR HEVC                       -> standard policy: skip (reason) | standard
// An override replaces the policy but must fit the source.
#include "agent/media/plan_policy.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace {

// The Dolby Vision profile: our own RPU reading wins over the container's record.
int DoviProfile(const MediaInfo& info) {
  if (info.rpu.checked && info.rpu.profile > 0) return info.rpu.profile;
  return info.dovi.present ? info.dovi.profile : 0;
}

std::string DescribeNonDv(const MediaInfo& info) {
  if (info.color_transfer == "smpte2084") return "HDR10";
  if (info.color_transfer == "arib-std-b67") return "HLG";
  return "SDR";
}

PlanDecision Skip(std::string reason) {
  PlanDecision d;
  d.skip_reason = std::move(reason);
  return d;
}

// Whether the source is Dolby Vision: a profile read from its RPUs, or a configuration record.
bool HasDolbyVision(const MediaInfo& info, int dv_profile) {
  return dv_profile > 0 || info.dovi.present;
}

// OK for "" and the kPlan* names; InvalidArgument listing them otherwise.
absl::Status CheckOverrideName(absl::string_view override_plan) {
  if (!override_plan.empty() && override_plan != kPlanDvConvert &&
      override_plan != kPlanDvReencode && override_plan != kPlanStandard &&
      override_plan != kPlanSkip) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan override \"", override_plan,
                     "\" is not one of dv-convert, dv-reencode, standard, skip"));
  }
  return absl::OkStatus();
}

// Video that is not HEVC: re-encoded only when the override asks for standard, else skipped.
PlanDecision PlanForNonHevc(const MediaInfo& info, absl::string_view override_plan) {
  if (override_plan == kPlanStandard) {
    PlanDecision d;
    d.plan = kPlanStandard;
    return d;
  }
  return Skip(absl::StrCat("the video is ", info.video_codec.empty() ? "unknown" : info.video_codec,
                           ", not HEVC: nothing to convert"));
}

// An HEVC source under a (valid, not skip) override: the dv plans need profile 7.
absl::StatusOr<PlanDecision> ApplyOverride(PlanDecision d, const MediaInfo& info,
                                           absl::string_view override_plan) {
  const bool p7 = d.dv_profile == 7;
  if ((override_plan == kPlanDvConvert || override_plan == kPlanDvReencode) && !p7) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plan override ", override_plan, " needs a Dolby Vision profile 7 source; this one is ",
        HasDolbyVision(info, d.dv_profile) ? absl::StrCat("profile ", d.dv_profile)
                                           : DescribeNonDv(info)));
  }
  d.plan = std::string(override_plan);
  if (override_plan == kPlanDvConvert && d.el_type == "FEL") {
    d.warnings.push_back(
        "dv-convert on a FEL source (plan override): the full enhancement layer's residual is "
        "dropped, the output is the base layer with converted RPUs");
  }
  return d;
}

// HDR10 / HLG / SDR HEVC: the standard policy.
PlanDecision PlanWithoutDolbyVision(PlanDecision d, const MediaInfo& info, StandardPolicy policy) {
  if (policy == StandardPolicy::kReencode) {
    d.plan = kPlanStandard;
    return d;
  }
  return Skip(absl::StrCat(DescribeNonDv(info),
                           " source without Dolby Vision: re-encoding standard sources is off "
                           "(standard_policy = skip)"));
}

// Dolby Vision other than profile 7: profile 8 is already what we make; the rest is not converted.
PlanDecision SkipNotProfile7(const PlanDecision& d, const MediaInfo& info) {
  if (d.dv_profile == 8) {
    return Skip(absl::StrCat(
        "already Dolby Vision profile 8",
        info.dovi.bl_compat_id > 0 ? absl::StrCat(".", info.dovi.bl_compat_id) : std::string()));
  }
  return Skip(d.dv_profile == 0
                  ? std::string("Dolby Vision configuration without a readable profile: "
                                "not converted")
                  : absl::StrCat("Dolby Vision profile ", d.dv_profile,
                                 " is not converted (only profile 7)"));
}

// Profile 7: FEL under the fel policy; MEL (or no EL mapping, with a warning) -> dv-convert.
PlanDecision PlanForProfile7(PlanDecision d, FelPolicy fel) {
  if (d.el_type == "FEL") {
    switch (fel) {
      case FelPolicy::kSkip: {
        PlanDecision s = Skip(
            "Dolby Vision profile 7 FEL (full enhancement layer): fel_policy = skip; set "
            "fel_policy = convert (drops the FEL residual) or reencode, or enqueue with --plan");
        s.dv_profile = 7;
        s.el_type = "FEL";
        return s;
      }
      case FelPolicy::kConvert:
        d.plan = kPlanDvConvert;
        d.warnings.push_back(
            "profile 7 FEL converted under fel_policy = convert: the full enhancement layer's "
            "residual is dropped");
        return d;
      case FelPolicy::kReencode:
        d.plan = kPlanDvReencode;
        return d;
    }
  }
  if (d.el_type.empty()) {
    d.warnings.push_back(
        "profile 7 source whose first RPUs carry no enhancement-layer mapping; treated as MEL");
  }
  d.plan = kPlanDvConvert;
  return d;
}

}  // namespace

absl::StatusOr<FelPolicy> ParseFelPolicy(absl::string_view text) {
  if (text == "skip") return FelPolicy::kSkip;
  if (text == "convert") return FelPolicy::kConvert;
  if (text == "reencode") return FelPolicy::kReencode;
  return absl::InvalidArgumentError(
      absl::StrCat("fel_policy \"", text, "\" is not one of skip, convert, reencode"));
}

absl::StatusOr<StandardPolicy> ParseStandardPolicy(absl::string_view text) {
  if (text == "skip") return StandardPolicy::kSkip;
  if (text == "reencode") return StandardPolicy::kReencode;
  return absl::InvalidArgumentError(
      absl::StrCat("standard_policy \"", text, "\" is not one of skip, reencode"));
}

absl::StatusOr<PlanDecision> ChoosePlan(const MediaInfo& info, const PlanPolicy& policy,
                                        absl::string_view override_plan) {
  RETURN_IF_ERROR(CheckOverrideName(override_plan));
  if (override_plan == kPlanSkip) return Skip("skipped by the job's plan override");
  if (!info.has_video) return Skip("the file has no video track: nothing to convert");
  if (info.video_codec != "hevc") return PlanForNonHevc(info, override_plan);

  PlanDecision d;
  d.dv_profile = DoviProfile(info);
  d.el_type = info.rpu.el_type;
  if (!override_plan.empty()) return ApplyOverride(std::move(d), info, override_plan);
  if (!HasDolbyVision(info, d.dv_profile)) {
    return PlanWithoutDolbyVision(std::move(d), info, policy.standard);
  }
  if (d.dv_profile != 7) return SkipNotProfile7(d, info);
  return PlanForProfile7(std::move(d), policy.fel);
}

}  // namespace mkvfleet::agent::media
