// StepRunner: where a run starts, what it reports, and that it stops on refusal or cancel.
#include "agent/step_runner.h"

#include <catch2/catch.hpp>

#include <set>

#include "absl/strings/str_cat.h"
#include "tests/unit/agent/step_fixtures.h"

namespace mkvfleet::agent {
namespace {

using testing::FnStep;
using testing::RecordingReporter;
using testing::StepFn;

// Three steps that each leave an agent-local artifact "/work/<name>".
Pipeline ThreeSteps(std::vector<std::string>* ran, StepFn middle = nullptr) {
  std::vector<std::unique_ptr<Step>> steps;
  for (std::string name : {"a", "b", "c"}) {
    StepFn fn = [ran, name](StepContext& ctx) -> absl::StatusOr<StepResult> {
      ran->push_back(name);
      ctx.ReportProgress(Progress{1, 2, 0, 0});
      StepResult r;
      r.checkpoint.artifacts.push_back(
          Artifact{name, "/work/" + name, ArtifactLocation::kAgentLocal, ctx.agent_name(), 1});
      return r;
    };
    if (name == "b" && middle) {
      fn = [ran, middle](StepContext& ctx) {
        ran->push_back("b");
        return middle(ctx);
      };
    }
    steps.push_back(std::make_unique<FnStep>(name, fn));
  }
  return Pipeline("three", std::move(steps));
}

RunnerEnvironment Env(std::set<std::string> existing = {}) {
  static const std::vector<PathMapping> maps = {{"/library", "/mnt/nas"}};
  RunnerEnvironment env;
  env.agent_name = "me";
  env.source_path = "/mnt/nas/a.mkv";
  env.job_work_dir = "/work";
  env.path_map = &maps;
  env.file_exists = [existing](const std::string& p) { return existing.count(p) > 0; };
  return env;
}

StepRecord Done(int index, std::string name, std::string agent, std::string path) {
  StepRecord r;
  r.index = index;
  r.name = std::move(name);
  r.status = StepStatus::kDone;
  r.agent = agent;
  r.checkpoint.artifacts.push_back(
      Artifact{r.name, std::move(path), ArtifactLocation::kAgentLocal, std::move(agent), 1});
  return r;
}

TEST_CASE("a fresh task runs every step in order and completes on the last") {
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran);
  RecordingReporter rep;
  Task task;
  RunSummary s = RunPipeline(p, task, Env(), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kCompleted);
  CHECK(ran == std::vector<std::string>{"a", "b", "c"});
  CHECK(rep.events == std::vector<std::string>{"started 0 a", "finished 0 a", "started 1 b",
                                               "finished 1 b", "started 2 c", "finished 2 c"});
  CHECK(rep.last_result.outcome == StepResult::Outcome::kCompleted);
  CHECK(rep.progress_updates == 3);
}

TEST_CASE("the same agent resumes after its last completed step when artifacts are there") {
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran);
  RecordingReporter rep;
  Task task;
  task.resume_from_step = 2;
  task.steps = {Done(0, "a", "me", "/work/a"), Done(1, "b", "me", "/work/b")};
  RunSummary s = RunPipeline(p, task, Env({"/work/a", "/work/b"}), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kCompleted);
  CHECK(s.first_step == 2);
  CHECK(ran == std::vector<std::string>{"c"});
}

TEST_CASE("an unreachable artifact moves the start back to that step, and the log says why") {
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran);
  Task task;
  task.resume_from_step = 2;
  SECTION("another agent's local artifact") {
    task.steps = {Done(0, "a", "me", "/work/a"), Done(1, "b", "other", "/work/b")};
    RecordingReporter rep;
    RunSummary s = RunPipeline(p, task, Env({"/work/a", "/work/b"}), rep, nullptr);
    CHECK(s.first_step == 1);
    CHECK(ran == std::vector<std::string>{"b", "c"});
    bool explained = false;
    for (const auto& l : rep.logs) explained |= l.find("local to agent other") != std::string::npos;
    CHECK(explained);
  }
  SECTION("an own artifact that is gone") {
    task.steps = {Done(0, "a", "me", "/work/a"), Done(1, "b", "me", "/work/b")};
    RecordingReporter rep;
    RunSummary s = RunPipeline(p, task, Env({"/work/b"}), rep, nullptr);
    CHECK(s.first_step == 0);
    CHECK(ran == std::vector<std::string>{"a", "b", "c"});
  }
  SECTION("a shared artifact is reachable through path translation") {
    task.steps = {Done(0, "a", "other", "/library/work/a"), Done(1, "b", "me", "/work/b")};
    task.steps[0].checkpoint.artifacts[0].location = ArtifactLocation::kShared;
    RecordingReporter rep;
    RunSummary s = RunPipeline(p, task, Env({"/mnt/nas/work/a", "/work/b"}), rep, nullptr);
    CHECK(s.first_step == 2);
  }
}

TEST_CASE("a refused report stops the run at once") {
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran);
  RecordingReporter rep;
  rep.refuse_start_of = 1;
  RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kRefused);
  CHECK(ran == std::vector<std::string>{"a"});
  CHECK(rep.events.back() == "started 1 b");
}

TEST_CASE("a step result the coordinator rejects fails the step instead of hanging the lease") {
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran);
  RecordingReporter rep;
  rep.reject_finish_of = 2;
  RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kFailedRetryable);
  CHECK(rep.events.back() == "failed 2 c retryable");
  CHECK(rep.last_error.find("needs output_path") != std::string::npos);
}

TEST_CASE("step failures are reported retryable or permanent by status code") {
  std::vector<std::string> ran;
  SECTION("permanent") {
    Pipeline p = ThreeSteps(&ran, [](StepContext&) -> absl::StatusOr<StepResult> {
      return absl::InvalidArgumentError("not an MKV: /mnt/nas/a.mkv");
    });
    RecordingReporter rep;
    RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
    CHECK(s.outcome == RunOutcome::kFailedPermanent);
    CHECK(rep.events.back() == "failed 1 b permanent");
    CHECK(rep.last_error == "not an MKV: /mnt/nas/a.mkv");
    CHECK(ran == std::vector<std::string>{"a", "b"});
  }
  SECTION("retryable") {
    Pipeline p = ThreeSteps(&ran, [](StepContext&) -> absl::StatusOr<StepResult> {
      return absl::InternalError("x265 crashed");
    });
    RecordingReporter rep;
    RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
    CHECK(s.outcome == RunOutcome::kFailedRetryable);
    CHECK(rep.events.back() == "failed 1 b retryable");
  }
}

TEST_CASE("a cancel during a step stops the run without a failure report") {
  std::vector<std::string> ran;
  std::atomic<bool> cancel{false};
  Pipeline p = ThreeSteps(&ran, [&cancel](StepContext& ctx) -> absl::StatusOr<StepResult> {
    cancel = true;  // as the heartbeat thread does on a revoked lease
    if (ctx.cancelled()) return absl::CancelledError("stop");
    return StepResult{};
  });
  RecordingReporter rep;
  RunSummary s = RunPipeline(p, Task{}, Env(), rep, &cancel);
  CHECK(s.outcome == RunOutcome::kCancelled);
  for (const auto& e : rep.events) CHECK(e.find("failed") == std::string::npos);
  CHECK(ran == std::vector<std::string>{"a", "b"});
}

TEST_CASE("skip and publish outcomes end the run; output paths go back to the coordinator") {
  std::vector<std::string> ran;
  SECTION("skip") {
    Pipeline p = ThreeSteps(&ran, [](StepContext&) -> absl::StatusOr<StepResult> {
      StepResult r;
      r.outcome = StepResult::Outcome::kSkipped;
      r.reason = "already profile 8.1";
      return r;
    });
    RecordingReporter rep;
    RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
    CHECK(s.outcome == RunOutcome::kSkipped);
    CHECK(s.message == "already profile 8.1");
    CHECK(ran == std::vector<std::string>{"a", "b"});
  }
  SECTION("publish") {
    Pipeline p = ThreeSteps(&ran, [](StepContext&) -> absl::StatusOr<StepResult> {
      StepResult r;
      r.outcome = StepResult::Outcome::kCompleted;
      r.output_path = "/mnt/nas/a.DV81.mkv";
      return r;
    });
    RecordingReporter rep;
    RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
    CHECK(s.outcome == RunOutcome::kCompleted);
    CHECK(rep.last_result.output_path == "/library/a.DV81.mkv");
  }
}

}  // namespace
}  // namespace mkvfleet::agent
