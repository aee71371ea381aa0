// probe and plan steps (see the header).
#include "agent/media/probe_plan_steps.h"

#include "absl/strings/str_cat.h"
#include "agent/media/media_probe.h"
#include "agent/media/plan_policy.h"
#include "agent/media/publish.h"

namespace mkvfleet::agent::media {
namespace {

class ProbeStep final : public Step {
 public:
  explicit ProbeStep(SharedSettings s) : settings_(std::move(s)) {}
  std::string name() const override { return "probe"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    if (settings_->copy_source) {
      ctx.Log(LogLevel::kWarn, "copy_source = true is not supported yet; reading the source in place");
    }
    absl::StatusOr<MediaInfo> info = ProbeMedia(ctx, *settings_, ctx.source_path(), {});
    if (!info.ok()) return info.status();
    ctx.Log(LogLevel::kInfo,
            absl::StrCat("probe: ", info->video_codec, " ", info->width, "x", info->height, " ",
                         info->frame_count, " frames at ", info->fps(), " fps, ",
                         info->tracks.size(), " tracks, ", info->chapters, " chapters, DV ",
                         info->dovi.present ? absl::StrCat("profile ", info->dovi.profile) : "none",
                         ", first RPUs: profile ", info->rpu.profile, " ",
                         info->rpu.el_type.empty() ? "no EL" : info->rpu.el_type));
    StepResult result;
    result.checkpoint.facts[kFactMediaInfo] = MediaInfoToJson(*info);
    return result;
  }

 private:
  SharedSettings settings_;
};

class PlanStep final : public Step {
 public:
  explicit PlanStep(SharedSettings s) : settings_(std::move(s)) {}
  std::string name() const override { return "plan"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    absl::StatusOr<MediaInfo> info = ProbedInfo(ctx);
    if (!info.ok()) return info.status();
    absl::StatusOr<PlanDecision> d =
        ChoosePlan(*info, settings_->plan, ctx.task().plan_override);
    if (!d.ok()) return d.status();
    StepResult result;
    if (d->skipped()) {
      ctx.Log(LogLevel::kInfo, absl::StrCat("plan: skip: ", d->skip_reason));
      result.outcome = StepResult::Outcome::kSkipped;
      result.reason = d->skip_reason;
      return result;
    }
    for (const std::string& w : d->warnings) ctx.Log(LogLevel::kWarn, w);
    const std::string dest = DestinationFor(ctx);
    if (absl::Status s = CheckDestinationFree(dest, settings_->publish); !s.ok()) return s;
    ctx.Log(LogLevel::kInfo, absl::StrCat("plan: ", d->plan,
                                          ctx.task().plan_override.empty() ? "" : " (override)",
                                          ", output ", dest));
    result.plan = d->plan;
    result.checkpoint.facts[kFactPlan] = d->plan;
    result.checkpoint.facts[kFactDestination] = dest;
    if (!d->warnings.empty()) result.checkpoint.facts["warning"] = d->warnings.front();
    return result;
  }

 private:
  SharedSettings settings_;
};

}  // namespace

std::unique_ptr<Step> MakeProbeStep(SharedSettings settings) {
  return std::make_unique<ProbeStep>(std::move(settings));
}
std::unique_ptr<Step> MakePlanStep(SharedSettings settings) {
  return std::make_unique<PlanStep>(std::move(settings));
}

}  // namespace mkvfleet::agent::media
