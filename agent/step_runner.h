// Runs a Pipeline for one leased task: starts at the step the coordinator named (earlier if this
// agent cannot reach an earlier step's artifacts), reports STARTED / FINISHED(checkpoint) /
// FAILED(retryable or not) for each step, and stops at once when a report is refused (stale lease)
// or the cancel flag is set (lease revoked, agent stopping). Before each step it logs the free
// space where the step writes and fails the step early when an earlier step declared more is
// needed. A chunk task (Task::chunk set) runs one step alone under the same reports
// (RunChunkTask).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/path_translation.h"
#include "agent/pipeline.h"
#include "agent/task.h"

namespace mkvfleet::agent {

// The runner's line to the coordinator for one task. Implementations retry transient failures
// themselves. Each report returns OK; FailedPrecondition when the coordinator refused it (the lease
// is stale: stop, discard); or another error when it could not be delivered (gave up).
class TaskReporter {
 public:
  virtual ~TaskReporter() = default;
  virtual absl::Status StepStarted(int index, const std::string& name) = 0;
  // result.output_path and result.chunk_manifest are already in the coordinator's namespace.
  virtual absl::Status StepFinished(int index, const std::string& name,
                                    const StepResult& result) = 0;
  // `redo_chunks`: the chunks a failed (assembling) step found unusable (pipeline.h
  // RedoChunksOf), reported as ReportStepRequest.redo_chunks; empty otherwise.
  virtual absl::Status StepFailed(int index, const std::string& name, const std::string& error,
                                  bool retryable, const std::vector<int>& redo_chunks) = 0;
  // Best effort: a job log line. Must not block for long.
  virtual void Log(LogLevel level, const std::string& text) = 0;
  // Best effort: the latest progress of the running step (sent with heartbeats).
  virtual void UpdateProgress(const std::string& step, const Progress& progress) = 0;
};

// Checkpoint facts the runner itself reads; any earlier step of the run (or of the recorded steps
// it resumes after) may set them:
//   "disk.<step>"   "<bytes>" or "<bytes> <folder>": step <step> will write about <bytes> into
//                   <folder> (no folder: the job's work dir). Before it runs, the runner logs the
//                   free space there and fails it at once (ResourceExhausted, retryable) when less
//                   is free, naming the folder and both numbers. Steps with no such fact get a log
//                   line with the work dir's free space.
//   "source.<step>" a local path: the file step <step> sees as ctx.source_path() (e.g. a copy of
//                   the source in the work dir). The path must be an artifact of the same step,
//                   so a resume on an agent that cannot reach it goes back to the step making it.
inline constexpr char kFactDiskPrefix[] = "disk.";
inline constexpr char kFactSourcePrefix[] = "source.";

// Free bytes for an unprivileged writer in `folder` (or its nearest existing ancestor).
using FreeSpaceProbe = std::function<absl::StatusOr<int64_t>(const std::string& folder)>;
// statvfs(2) of the folder or its nearest existing ancestor. Internal naming the folder on error.
absl::StatusOr<int64_t> RealFreeSpaceOf(const std::string& folder);

// What the runner needs from this agent.
struct RunnerEnvironment {
  std::string agent_name;
  std::string source_path;  // local (translated)
  std::string job_work_dir;
  std::string shared_work_dir;  // local, "" = none (StepContext::shared_work_dir)
  const std::vector<PathMapping>* path_map = nullptr;
  // Whether a local file exists; injected so tests need no files.
  std::function<bool(const std::string&)> file_exists;
  // Size of a local file, -1 when it cannot be read; null = std::filesystem. A recorded artifact
  // whose size (when recorded, > 0) differs from the file's counts as unreachable.
  std::function<int64_t(const std::string&)> file_size;
  // Free space probe; null = RealFreeSpaceOf. Injected so tests can fake a full disk.
  FreeSpaceProbe free_space;
};

// The "disk.<step>" and "source.<step>" facts (see above) that apply to `step`, from `earlier`.
struct StepNeeds {
  int64_t bytes = 0;       // 0 when no step declared any
  std::string folder;      // "" = the job's work dir
  std::string source;      // "" = the task's source
};
StepNeeds NeedsOf(const std::string& step, const std::vector<StepRecord>& earlier);

// How a run ended.
enum class RunOutcome {
  kCompleted,        // the task's output is published (a chunk task: its chunk file is in place)
  kSkipped,          // nothing to do
  kChunked,          // the encode step split the job into chunks: this task is over, the job
                     // comes back (maybe here) to assemble them
  kFailedRetryable,  // a step failed; the coordinator retries later
  kFailedPermanent,  // a step failed in a way retrying cannot fix
  kRefused,          // a report was refused: the lease is stale; discard everything
  kCancelled,        // the cancel flag was set (revoked lease or agent stopping)
  kUndelivered,      // a report could not be delivered (coordinator unreachable)
};

struct RunSummary {
  RunOutcome outcome = RunOutcome::kFailedRetryable;
  int first_step = 0;  // where the run started
  std::string message;  // error, skip reason, output path, or (kChunked) the local manifest
};

// The first step to run: task.resume_from_step, moved earlier to the first step that is not
// recorded as done (or skipped) under the same name, or whose artifacts this agent cannot reach
// (agent-local artifacts of another agent, or files that are gone; not checked before "encode"
// when the task assembles a chunked job's chunks). Clamped to the last step.
// `why` (optional) gets a sentence for the job log when the start moved.
int EffectiveResumeStep(const Task& task, const Pipeline& pipeline, const RunnerEnvironment& env,
                        std::string* why);

// Runs the pipeline for `task` (see the file comment). REQUIRES: pipeline has at least one step.
// A failing step's status may name chunks to redo (pipeline.h WithRedoChunks): they go with its
// FAILED report.
// A step returning Outcome::kChunked is reported FINISHED with its chunks and its chunk_manifest
// (translated to the coordinator's namespace) and ends the run (kChunked): no further step runs,
// and the lease is not handed back (the coordinator ended it with that report).
RunSummary RunPipeline(const Pipeline& pipeline, const Task& task, const RunnerEnvironment& env,
                       TaskReporter& reporter, const std::atomic<bool>* cancel);

// Runs `step` alone for a chunk task, reported as step `step_index` (the index of the step named
// step.name() in the job): STARTED, then FINISHED with the step's result (outcome kCompleted of
// the run) or FAILED (retryable unless IsPermanentFailure), with the same refusal, cancel and
// log handling as RunPipeline. The step's context has env.source_path and env.job_work_dir (may
// be "") and no earlier steps. No free-space check: the step checks its own folder.
RunSummary RunChunkTask(Step& step, int step_index, const Task& task, const RunnerEnvironment& env,
                        TaskReporter& reporter, const std::atomic<bool>* cancel);

// The index to report a chunk task's step `name` under: the recorded step of that name in
// task.steps, else its position in `pipeline` (may be null), else 0.
int ChunkStepIndex(const Task& task, const Pipeline* pipeline, const std::string& name);

// "completed", "chunked", "refused", ... for logs.
const char* RunOutcomeName(RunOutcome outcome);

}  // namespace mkvfleet::agent
