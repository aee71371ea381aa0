// StepRunner and chunked re-encodes: a step that chunks the job ends the run with one report that
// carries the chunks and the manifest in the coordinator's namespace; a chunk task runs one step
// alone, reported under the job's index of that step.
#include <atomic>
#include <catch2/catch.hpp>

#include "agent/step_runner.h"
#include "tests/unit/agent/step_fixtures.h"

namespace mkvfleet::agent {
namespace {

using testing::FnStep;
using testing::RecordingReporter;
using testing::StepFn;

const std::vector<PathMapping>& Maps() {
  static const std::vector<PathMapping> maps = {{"/library", "/mnt/nas"},
                                                {"/shared", "/mnt/shared"}};
  return maps;
}

RunnerEnvironment Env() {
  RunnerEnvironment env;
  env.agent_name = "me";
  env.source_path = "/mnt/nas/a.mkv";
  env.job_work_dir = "/work";
  env.path_map = &Maps();
  env.file_exists = [](const std::string&) { return true; };
  env.free_space = [](const std::string&) -> absl::StatusOr<int64_t> { return int64_t{1} << 40; };
  return env;
}

// A chunk range as a step result carries it.
ChunkRecord Range(int index, int64_t first_frame, int64_t frames) {
  ChunkRecord c;
  c.index = index;
  c.first_frame = first_frame;
  c.frames = frames;
  return c;
}

StepResult Chunked() {
  StepResult r;
  r.outcome = StepResult::Outcome::kChunked;
  r.chunks = {Range(0, 0, 24), Range(1, 24, 24)};
  r.chunk_manifest = "/mnt/shared/mkvfleet-chunks/job-7/manifest.json";
  r.checkpoint.facts["chunked"] = "2";
  return r;
}

// Steps "probe", "encode" (returns `encode`), "mux"; `ran` records which ran.
Pipeline ThreeSteps(std::vector<std::string>* ran, StepFn encode) {
  std::vector<std::unique_ptr<Step>> steps;
  auto plain = [ran](std::string name) {
    return [ran, name](StepContext&) -> absl::StatusOr<StepResult> {
      ran->push_back(name);
      return StepResult{};
    };
  };
  steps.push_back(std::make_unique<FnStep>("probe", plain("probe")));
  steps.push_back(std::make_unique<FnStep>("encode", [ran, encode](StepContext& ctx) {
    ran->push_back("encode");
    return encode(ctx);
  }));
  steps.push_back(std::make_unique<FnStep>("mux", plain("mux")));
  return Pipeline("three", std::move(steps));
}

TEST_CASE("a step that chunks the job ends the run with the chunks and the manifest reported") {
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran, [](StepContext&) { return Chunked(); });
  RecordingReporter rep;
  RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kChunked);
  CHECK(s.message == "/mnt/shared/mkvfleet-chunks/job-7/manifest.json");  // local, for the log
  CHECK(ran == std::vector<std::string>{"probe", "encode"});  // no step after the chunking one
  CHECK(rep.events == std::vector<std::string>{"started 0 probe", "finished 0 probe",
                                               "started 1 encode", "finished 1 encode"});
  CHECK(rep.last_result.outcome == StepResult::Outcome::kChunked);
  CHECK(rep.last_result.chunk_manifest == "/shared/mkvfleet-chunks/job-7/manifest.json");
  REQUIRE(rep.last_result.chunks.size() == 2);
  CHECK(rep.last_result.chunks[1].first_frame == 24);
  CHECK(rep.last_result.chunks[1].frames == 24);
  CHECK(rep.last_result.checkpoint.facts.at("chunked") == "2");
  CHECK(rep.Logged("split the job into 2 chunks"));
  CHECK(std::string(RunOutcomeName(s.outcome)) == "chunked");
}

TEST_CASE("a chunking last step is reported as chunked, not completed") {
  std::vector<std::unique_ptr<Step>> steps;
  steps.push_back(std::make_unique<FnStep>("encode", [](StepContext&) { return Chunked(); }));
  Pipeline p("one", std::move(steps));
  RecordingReporter rep;
  RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kChunked);
  CHECK(rep.last_result.outcome == StepResult::Outcome::kChunked);
}

TEST_CASE("a chunked result the coordinator rejects fails the step, retryable") {
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran, [](StepContext&) { return Chunked(); });
  RecordingReporter rep;
  rep.reject_finish_of = 1;  // InvalidArgument: reported as a retryable failure instead
  RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kFailedRetryable);
  CHECK(rep.events.back() == "failed 1 encode retryable");
}

Task ChunkTask() {
  Task t;
  t.job_id = 7;
  t.task_id = 70;
  t.chunk = ChunkAssignment{1, 24, 24, "/shared/mkvfleet-chunks/job-7/manifest.json", ""};
  t.steps = {StepRecord{0, "probe", StepStatus::kDone, {}, "a"},
             StepRecord{3, "encode", StepStatus::kRunning, {}, "a"}};
  return t;
}

TEST_CASE("a chunk task runs its step alone under the job's index of that step") {
  const Task task = ChunkTask();
  REQUIRE(ChunkStepIndex(task, nullptr, "encode") == 3);
  bool saw_assignment = false;
  FnStep step("encode", [&](StepContext& ctx) -> absl::StatusOr<StepResult> {
    saw_assignment = ctx.task().chunk.has_value() && ctx.task().chunk->index == 1;
    CHECK(ctx.earlier_steps().empty());
    ctx.ReportProgress(Progress{12, 24, 0, 0});
    StepResult r;
    r.checkpoint.artifacts.push_back(Artifact{"chunk", "/shared/mkvfleet-chunks/job-7/c1.hevc",
                                              ArtifactLocation::kShared, "me", 100});
    r.checkpoint.facts["frames"] = "24";
    return r;
  });
  RecordingReporter rep;
  RunSummary s = RunChunkTask(step, 3, task, Env(), rep, nullptr);
  CHECK(saw_assignment);
  CHECK(s.outcome == RunOutcome::kCompleted);
  CHECK(rep.events == std::vector<std::string>{"started 3 encode", "finished 3 encode"});
  CHECK(rep.last_result.outcome == StepResult::Outcome::kContinue);
  CHECK(rep.last_result.checkpoint.facts.at("frames") == "24");
  CHECK(rep.progress_updates == 1);
  CHECK(rep.Logged("runs chunk 1 of job 7"));
}

TEST_CASE("a failing chunk is reported failed, permanent or retryable by its status") {
  const Task task = ChunkTask();
  RecordingReporter rep;
  FnStep bad_input("encode", [](StepContext&) -> absl::StatusOr<StepResult> {
    return absl::DataLossError("chunk 1: RPU slice /x/slice-0001.bin has sha256 ...");
  });
  RunSummary s = RunChunkTask(bad_input, 3, task, Env(), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kFailedPermanent);
  CHECK(rep.events.back() == "failed 3 encode permanent");
  CHECK(rep.last_error.find("slice-0001.bin") != std::string::npos);

  RecordingReporter rep2;
  FnStep check_failed("encode", [](StepContext&) -> absl::StatusOr<StepResult> {
    return absl::InternalError("chunk 1 (/x/chunk-0001.hevc.part) failed its check");
  });
  s = RunChunkTask(check_failed, 3, task, Env(), rep2, nullptr);
  CHECK(s.outcome == RunOutcome::kFailedRetryable);
  CHECK(rep2.events.back() == "failed 3 encode retryable");
}

TEST_CASE("a chunk task stops on a refused start and on cancel") {
  const Task task = ChunkTask();
  bool ran = false;
  FnStep step("encode", [&](StepContext&) -> absl::StatusOr<StepResult> {
    ran = true;
    return StepResult{};
  });
  RecordingReporter refusing;
  refusing.refuse_start_of = 3;
  CHECK(RunChunkTask(step, 3, task, Env(), refusing, nullptr).outcome == RunOutcome::kRefused);
  CHECK_FALSE(ran);

  std::atomic<bool> cancel{false};
  FnStep cancelled_inside("encode", [&](StepContext& ctx) -> absl::StatusOr<StepResult> {
    cancel = true;  // the lease was revoked while the chunk ran
    CHECK(ctx.cancelled());
    return absl::CancelledError("chunk cancelled");
  });
  RecordingReporter rep;
  CHECK(RunChunkTask(cancelled_inside, 3, task, Env(), rep, &cancel).outcome ==
        RunOutcome::kCancelled);
  CHECK(rep.events == std::vector<std::string>{"started 3 encode"});  // nothing more reported
}

TEST_CASE("the chunk step's index falls back to the pipeline, then to 0") {
  Task task;
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran, [](StepContext&) { return StepResult{}; });
  CHECK(ChunkStepIndex(task, &p, "encode") == 1);
  CHECK(ChunkStepIndex(task, nullptr, "encode") == 0);
}

TEST_CASE("steps see the agent's shared work dir") {
  RunnerEnvironment env = Env();
  env.shared_work_dir = "/mnt/shared";
  std::string seen = "unset";
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran, [&](StepContext& ctx) -> absl::StatusOr<StepResult> {
    seen = ctx.shared_work_dir();
    return StepResult{};
  });
  RecordingReporter rep;
  RunPipeline(p, Task{}, env, rep, nullptr);
  CHECK(seen == "/mnt/shared");

  seen = "unset";
  FnStep chunk_step("encode", [&](StepContext& ctx) -> absl::StatusOr<StepResult> {
    seen = ctx.shared_work_dir();
    return StepResult{};
  });
  RunChunkTask(chunk_step, 3, ChunkTask(), env, rep, nullptr);
  CHECK(seen == "/mnt/shared");
}

TEST_CASE("chunks a failing step names for redo go with its failure report") {
  std::vector<std::string> ran;
  Pipeline p = ThreeSteps(&ran, [](StepContext&) -> absl::StatusOr<StepResult> {
    return WithRedoChunks(absl::InternalError("chunk 1 file is gone, chunk 3 truncated"), {1, 3});
  });
  RecordingReporter rep;
  RunSummary s = RunPipeline(p, Task{}, Env(), rep, nullptr);
  CHECK(s.outcome == RunOutcome::kFailedRetryable);
  CHECK(rep.events.back() == "failed 1 encode retryable");
  CHECK(rep.redo_chunks == std::vector<int>{1, 3});

  RecordingReporter plain;
  Pipeline q = ThreeSteps(&ran, [](StepContext&) -> absl::StatusOr<StepResult> {
    return absl::InternalError("x265 crashed");
  });
  RunPipeline(q, Task{}, Env(), plain, nullptr);
  CHECK(plain.redo_chunks.empty());
}

}  // namespace
}  // namespace mkvfleet::agent
