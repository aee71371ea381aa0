// A pipeline for integration tests: sleeping steps that leave small artifacts, so tests can kill
// agents mid-step and check from the job's steps and log that work resumed where it should.
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/pipeline_registry.h"

namespace mkvfleet::agent {
namespace {

// How often a sleeping step looks at the cancel flag.
constexpr absl::Duration kCancelCheck = absl::Milliseconds(20);

class SleepStep final : public Step {
 public:
  SleepStep(std::string name, std::string previous, absl::Duration duration)
      : name_(std::move(name)), previous_(std::move(previous)), duration_(duration) {}

  std::string name() const override { return name_; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    if (!previous_.empty()) {
      const Checkpoint* prev = ctx.CheckpointOf(previous_);
      if (prev == nullptr || prev->artifacts.empty() ||
          !std::filesystem::exists(prev->artifacts[0].path)) {
        return absl::UnavailableError(absl::StrCat("artifact of step ", previous_, " missing"));
      }
    }
    const std::string file = std::filesystem::path(ctx.source_path()).filename().string();
    if (name_ == "two" && absl::StrContains(file, "FAILPERM")) {
      return absl::InvalidArgumentError(absl::StrCat("test failure (permanent) for ", file));
    }
    if (name_ == "two" && absl::StrContains(file, "FAILRETRY")) {
      return absl::InternalError(absl::StrCat("test failure (retryable) for ", file));
    }
    const absl::Time end = absl::Now() + duration_;
    int64_t tick = 0;
    const int64_t ticks = std::max<int64_t>(1, duration_ / kCancelCheck);
    while (absl::Now() < end) {
      if (ctx.cancelled()) return absl::CancelledError("test step cancelled");
      absl::SleepFor(std::min(kCancelCheck, end - absl::Now()));
      ctx.ReportProgress(Progress{++tick, ticks, 0, 0});
    }
    const std::string artifact =
        (std::filesystem::path(ctx.work_dir()) / (name_ + ".txt")).string();
    {
      std::ofstream out(artifact, std::ios::trunc);
      out << "job=" << ctx.task().job_id << " step=" << name_ << " agent=" << ctx.agent_name()
          << "\n";
      if (!out) return absl::InternalError("cannot write " + artifact);
    }
    ctx.Log(LogLevel::kInfo, absl::StrCat("test step ", name_, " ran on agent ", ctx.agent_name()));
    StepResult result;
    result.checkpoint.artifacts.push_back(
        Artifact{name_, artifact, ArtifactLocation::kAgentLocal, ctx.agent_name(),
                 static_cast<int64_t>(std::filesystem::file_size(artifact))});
    result.checkpoint.facts["agent"] = ctx.agent_name();
    if (name_ == "one") result.plan = "test";
    if (name_ == "three") return Publish(ctx, std::move(result));
    return result;
  }

 private:
  // The last step "publishes" a one-line file where the coordinator asked for the output.
  static absl::StatusOr<StepResult> Publish(StepContext& ctx, StepResult result) {
    const std::string out = ctx.output_path();
    if (out.empty()) return absl::InvalidArgumentError("the coordinator sent no output path");
    {
      std::ofstream f(out, std::ios::trunc);
      f << "test-sleep output of job " << ctx.task().job_id << "\n";
      if (!f) return absl::InternalError("cannot write " + out);
    }
    result.outcome = StepResult::Outcome::kCompleted;
    result.output_path = out;
    return result;
  }

  std::string name_, previous_;
  absl::Duration duration_;
};

}  // namespace

std::unique_ptr<Pipeline> MakeTestSleepPipeline(absl::Duration step_duration) {
  std::vector<std::unique_ptr<Step>> steps;
  steps.push_back(std::make_unique<SleepStep>("one", "", step_duration));
  steps.push_back(std::make_unique<SleepStep>("two", "one", step_duration));
  steps.push_back(std::make_unique<SleepStep>("three", "two", step_duration));
  return std::make_unique<Pipeline>("test-sleep", std::move(steps));
}

}  // namespace mkvfleet::agent
