// Assembly of the media pipeline and the per-plan dispatch of rpu, encode and mux.
#include "agent/media/media_pipeline.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/encode/reencode_steps.h"
#include "agent/media/output_steps.h"
#include "agent/media/plan_policy.h"
#include "agent/media/probe_plan_steps.h"
#include "agent/media/step_support.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace {

// Runs the step the chosen plan registered under this name.
class PlanDispatchStep final : public Step {
 public:
  PlanDispatchStep(std::string name, std::map<std::string, std::unique_ptr<Step>> by_plan,
                   std::map<std::string, std::string> notes)
      : name_(std::move(name)), by_plan_(std::move(by_plan)), notes_(std::move(notes)) {}
  std::string name() const override { return name_; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    ASSIGN_OR_RETURN(const std::string plan, EarlierFact(ctx, "plan", kFactPlan));
    auto step = by_plan_.find(plan);
    if (step != by_plan_.end() && step->second != nullptr) return step->second->Run(ctx);
    auto note = notes_.find(plan);
    if (note == notes_.end()) {
      return absl::UnimplementedError(
          absl::StrCat("plan ", plan, " is not implemented on this agent (no ", name_, " step)"));
    }
    StepResult result;
    result.checkpoint.facts["note"] = note->second;
    return result;
  }

 private:
  std::string name_;
  std::map<std::string, std::unique_ptr<Step>> by_plan_;
  std::map<std::string, std::string> notes_;  // plans for which this step does nothing, and why
};

}  // namespace

std::unique_ptr<Pipeline> MakeMediaPipeline(MediaSettings settings,
                                            std::map<std::string, PlanSteps> extra_plans) {
  auto shared = std::make_shared<const MediaSettings>(std::move(settings));
  std::map<std::string, PlanSteps> plans = std::move(extra_plans);
  if (!plans.contains(kPlanDvConvert)) {
    plans[kPlanDvConvert].mux = MakeDvConvertMuxStep(shared, RealFreeSpace());
  }
  std::map<std::string, std::unique_ptr<Step>> rpu, encode, mux;
  std::map<std::string, std::string> rpu_notes, encode_notes, mux_notes;
  std::map<std::string, VerifyExtraCheck> verify_extra;
  for (auto& [plan, steps] : plans) {
    if (steps.verify_extra) verify_extra[plan] = std::move(steps.verify_extra);
    if (steps.rpu) {
      rpu[plan] = std::move(steps.rpu);
    } else {
      rpu_notes[plan] = "nothing to do: RPUs are converted inside the mux pass";
    }
    if (steps.encode) {
      encode[plan] = std::move(steps.encode);
    } else {
      encode_notes[plan] = "nothing to do: the video is not re-encoded";
    }
    if (steps.mux) mux[plan] = std::move(steps.mux);
  }
  std::vector<std::unique_ptr<Step>> list;
  list.push_back(MakeProbeStep(shared));
  list.push_back(MakePlanStep(shared));
  list.push_back(std::make_unique<PlanDispatchStep>("rpu", std::move(rpu), std::move(rpu_notes)));
  list.push_back(
      std::make_unique<PlanDispatchStep>("encode", std::move(encode), std::move(encode_notes)));
  list.push_back(std::make_unique<PlanDispatchStep>("mux", std::move(mux), std::move(mux_notes)));
  list.push_back(MakeVerifyStep(shared, std::move(verify_extra)));
  list.push_back(MakePublishStep(shared));
  return std::make_unique<Pipeline>("media", std::move(list));
}

absl::StatusOr<std::unique_ptr<Pipeline>> MakeMediaPipelineFromConfig(
    const config::ConfigLayers* layers) {
  ASSIGN_OR_RETURN(MediaSettings settings,
                   layers == nullptr ? MediaSettings{} : LoadMediaSettings(*layers));
  // The re-encode plans (agent/encode): dv-reencode and standard.
  ASSIGN_OR_RETURN(auto reencode, encode::MakeReencodePlansFromSettings(settings));
  return MakeMediaPipeline(std::move(settings), std::move(reencode));
}

}  // namespace mkvfleet::agent::media
