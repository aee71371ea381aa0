// Runs a Pipeline for one leased task: starts at the step the coordinator named (earlier if this
// agent cannot reach an earlier step's artifacts), reports STARTED / FINISHED(checkpoint) /
// FAILED(retryable or not) for each step, and stops at once when a report is refused (stale lease)
// or the cancel flag is set (lease revoked, agent stopping).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
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
  // result.output_path is already in the coordinator's namespace.
  virtual absl::Status StepFinished(int index, const std::string& name,
                                    const StepResult& result) = 0;
  virtual absl::Status StepFailed(int index, const std::string& name, const std::string& error,
                                  bool retryable) = 0;
  // Best effort: a job log line. Must not block for long.
  virtual void Log(LogLevel level, const std::string& text) = 0;
  // Best effort: the latest progress of the running step (sent with heartbeats).
  virtual void UpdateProgress(const std::string& step, const Progress& progress) = 0;
};

// What the runner needs from this agent.
struct RunnerEnvironment {
  std::string agent_name;
  std::string source_path;  // local (translated)
  std::string job_work_dir;
  const std::vector<PathMapping>* path_map = nullptr;
  // Whether a local file exists; injected so tests need no files.
  std::function<bool(const std::string&)> file_exists;
};

// How a run ended.
enum class RunOutcome {
  kCompleted,        // the task's output is published
  kSkipped,          // nothing to do
  kFailedRetryable,  // a step failed; the coordinator retries later
  kFailedPermanent,  // a step failed in a way retrying cannot fix
  kRefused,          // a report was refused: the lease is stale; discard everything
  kCancelled,        // the cancel flag was set (revoked lease or agent stopping)
  kUndelivered,      // a report could not be delivered (coordinator unreachable)
};

struct RunSummary {
  RunOutcome outcome = RunOutcome::kFailedRetryable;
  int first_step = 0;  // where the run started
  std::string message;  // error, skip reason, or output path
};

// The first step to run: task.resume_from_step, moved earlier to the first step that is not
// recorded as done (or skipped) under the same name, or whose artifacts this agent cannot reach
// (agent-local artifacts of another agent, or files that are gone). Clamped to the last step.
// `why` (optional) gets a sentence for the job log when the start moved.
int EffectiveResumeStep(const Task& task, const Pipeline& pipeline, const RunnerEnvironment& env,
                        std::string* why);

// Runs the pipeline for `task` (see the file comment). REQUIRES: pipeline has at least one step.
RunSummary RunPipeline(const Pipeline& pipeline, const Task& task, const RunnerEnvironment& env,
                       TaskReporter& reporter, const std::atomic<bool>* cancel);

// "completed", "refused", ... for logs.
const char* RunOutcomeName(RunOutcome outcome);

}  // namespace mkvfleet::agent
