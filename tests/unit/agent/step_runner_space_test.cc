// StepRunner's per-step free-space line and early failure ("disk.<step>" facts), the source a step
// reads ("source.<step>" facts), and artifacts whose size changed counting as unreachable.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/step_runner.h"
#include "tests/unit/agent/step_fixtures.h"

namespace mkvfleet::agent {
namespace {

using testing::FnStep;
using testing::RecordingReporter;
using testing::StepFn;

// Steps a, b, c; a records `facts`; each records the source it saw in `sources`.
Pipeline Steps(std::map<std::string, std::string> facts, std::vector<std::string>* sources) {
  std::vector<std::unique_ptr<Step>> steps;
  for (std::string name : {"a", "b", "c"}) {
    steps.push_back(std::make_unique<FnStep>(
        name, [=](StepContext& ctx) -> absl::StatusOr<StepResult> {
          sources->push_back(absl::StrCat(name, "=", ctx.source_path()));
          StepResult r;
          if (name == "a") r.checkpoint.facts = facts;
          return r;
        }));
  }
  return Pipeline("space", std::move(steps));
}

RunnerEnvironment Env(std::map<std::string, int64_t> free) {
  RunnerEnvironment env;
  env.agent_name = "me";
  env.source_path = "/lib/a.mkv";
  env.job_work_dir = "/work/job-1";
  env.file_exists = [](const std::string&) { return true; };
  env.free_space = [free](const std::string& folder) -> absl::StatusOr<int64_t> {
    auto it = free.find(folder);
    if (it == free.end()) return absl::InternalError(absl::StrCat("no such folder ", folder));
    return it->second;
  };
  return env;
}

TEST_CASE("every step logs the free space where it writes, with what it needs") {
  std::vector<std::string> sources;
  Pipeline p = Steps({{"disk.b", "5000 /out/Films"}, {"disk.c", "300"}}, &sources);
  RecordingReporter rep;
  RunSummary s = RunPipeline(p, Task{}, Env({{"/work/job-1", 9000}, {"/out/Films", 7000}}), rep,
                             nullptr);
  CHECK(s.outcome == RunOutcome::kCompleted);
  CHECK(rep.Logged("step a: free space in /work/job-1: 9000 bytes, writes nothing there"));
  CHECK(rep.Logged("step b: free space in /out/Films: 7000 bytes, needs about 5000"));
  CHECK(rep.Logged("step c: free space in /work/job-1: 9000 bytes, needs about 300"));
}

TEST_CASE("a step that would not fit fails before it runs, naming the folder and the numbers") {
  std::vector<std::string> sources;
  Pipeline p = Steps({{"disk.b", "5000 /out/Films"}}, &sources);
  RecordingReporter rep;
  RunSummary s = RunPipeline(p, Task{}, Env({{"/work/job-1", 9000}, {"/out/Films", 1000}}), rep,
                             nullptr);
  CHECK(s.outcome == RunOutcome::kFailedRetryable);
  CHECK(sources == std::vector<std::string>{"a=/lib/a.mkv"});  // b never ran
  CHECK(rep.events.back() == "failed 1 b retryable");
  INFO(rep.last_error);
  CHECK(absl::StrContains(rep.last_error, "not enough free space in /out/Films for step b"));
  CHECK(absl::StrContains(rep.last_error, "1000 bytes free, 5000 bytes needed"));
}

TEST_CASE("an unreadable free space is a warning, not a failure") {
  std::vector<std::string> sources;
  Pipeline p = Steps({}, &sources);
  RecordingReporter rep;
  RunSummary s = RunPipeline(p, Task{}, Env({}), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kCompleted);
  CHECK(rep.Logged("step a: free space unknown: no such folder /work/job-1"));
}

TEST_CASE("a source.<step> fact changes the source that step sees, and only that step") {
  std::vector<std::string> sources;
  Pipeline p = Steps({{"source.b", "/work/job-1/source.mkv"}}, &sources);
  RecordingReporter rep;
  RunPipeline(p, Task{}, Env({{"/work/job-1", 9000}}), rep, nullptr);
  CHECK(sources == std::vector<std::string>{"a=/lib/a.mkv", "b=/work/job-1/source.mkv",
                                            "c=/lib/a.mkv"});
}

TEST_CASE("facts of steps recorded before a resume apply too") {
  std::vector<std::string> sources;
  Pipeline p = Steps({}, &sources);
  Task task;
  task.resume_from_step = 1;
  StepRecord a{0, "a", StepStatus::kDone, {}, "me"};
  a.checkpoint.facts = {{"source.c", "/copy.mkv"}, {"disk.c", "100 /nowhere"}};
  task.steps = {a};
  RecordingReporter rep;
  RunSummary s = RunPipeline(p, task, Env({{"/work/job-1", 9000}, {"/nowhere", 10}}), rep,
                             nullptr);
  CHECK(s.outcome == RunOutcome::kFailedRetryable);
  CHECK(sources == std::vector<std::string>{"b=/lib/a.mkv"});
  CHECK(absl::StrContains(rep.last_error, "10 bytes free, 100 bytes needed"));
}

TEST_CASE("an artifact whose size changed since it was recorded is not reused") {
  std::vector<std::string> sources;
  Pipeline p = Steps({}, &sources);
  Task task;
  task.resume_from_step = 1;
  StepRecord a{0, "a", StepStatus::kDone, {}, "me"};
  a.checkpoint.artifacts.push_back(
      Artifact{"copy", "/work/job-1/source.mkv", ArtifactLocation::kAgentLocal, "me", 4096});
  task.steps = {a};
  RunnerEnvironment env = Env({{"/work/job-1", 9000}});
  SECTION("same size: resumes after it") {
    env.file_size = [](const std::string&) -> int64_t { return 4096; };
    RecordingReporter rep;
    CHECK(RunPipeline(p, task, env, rep, nullptr).first_step == 1);
  }
  SECTION("different size: the step that made it runs again, and the log says why") {
    env.file_size = [](const std::string&) -> int64_t { return 100; };
    RecordingReporter rep;
    CHECK(RunPipeline(p, task, env, rep, nullptr).first_step == 0);
    CHECK(rep.Logged("is 100 bytes, not the 4096 recorded"));
  }
}

}  // namespace
}  // namespace mkvfleet::agent
