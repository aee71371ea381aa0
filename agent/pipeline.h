// The place the media pipeline plugs into: a Pipeline is an ordered list of named Steps; the
// StepRunner (step_runner.h) runs them for a leased task, reporting each to the coordinator.
//
// A step's contract:
//   - Run() is idempotent: it may be re-run after a crash, and must overwrite its own artifacts.
//   - It writes only under ctx.work_dir() (or, for publish, the destination the coordinator named).
//   - It checks ctx.cancelled() often (and passes ctx.cancel_flag() to subprocesses), returning
//     absl::CancelledError when set.
//   - Failure: return a Status. Retrying cannot help (bad input, missing source) => return one of
//     kInvalidArgument, kNotFound, kFailedPrecondition, kDataLoss, kUnimplemented: the job becomes
//     failed_permanent. Anything else (tool crash, disk full, I/O) is retried by the coordinator.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/path_translation.h"
#include "agent/task.h"

namespace mkvfleet::agent {

// Severity of a job log line.
enum class LogLevel { kInfo, kWarn, kError };

// What a successful step hands back.
struct StepResult {
  // How the task stands after this step.
  enum class Outcome {
    kContinue,   // more steps follow (the runner treats it as kCompleted after the last step)
    kCompleted,  // output published at output_path
    kSkipped,    // nothing to do; reason says why
    // The encode step split its work into chunks (chunks, chunk_manifest): the runner reports
    // it and ends the task; other agents encode the chunks, then the job comes back to assemble.
    kChunked,
  };
  Checkpoint checkpoint;
  Outcome outcome = Outcome::kContinue;
  std::string output_path;  // kCompleted: local path; the runner translates it for the coordinator
  std::string reason;       // kSkipped
  std::string plan;         // set by the step that chooses the plan
  std::vector<ChunkRecord> chunks;  // kChunked: the ranges (index, first_frame, frames)
  std::string chunk_manifest;       // kChunked: local path; the runner translates it
};

// Everything a step may use. Built by the StepRunner; valid during Run() only. Methods are safe to
// call from helper threads of the step: the hooks are called one at a time, so they need not be
// thread-safe themselves.
class StepContext {
 public:
  struct Hooks {
    std::function<void(const Progress&)> report_progress;
    std::function<void(LogLevel, const std::string&)> log;
  };

  StepContext(const Task& task, std::string agent_name, std::string source_path,
              std::string work_dir, const std::vector<PathMapping>* path_map,
              std::vector<StepRecord> earlier_steps, const std::atomic<bool>* cancel, Hooks hooks)
      : task_(task), agent_name_(std::move(agent_name)), source_path_(std::move(source_path)),
        work_dir_(std::move(work_dir)), path_map_(path_map),
        earlier_steps_(std::move(earlier_steps)), cancel_(cancel), hooks_(std::move(hooks)) {}

  const Task& task() const { return task_; }
  const std::string& agent_name() const { return agent_name_; }
  // The source file on this agent (path translation applied).
  const std::string& source_path() const { return source_path_; }
  // Where to publish, on this agent (path translation applied); "" when the coordinator sent none.
  std::string output_path() const {
    return task_.output_path.empty() ? "" : ToLocal(task_.output_path);
  }
  // This job's private temp folder on this agent (exists; removed when the job ends here).
  const std::string& work_dir() const { return work_dir_; }
  // The finished steps before this one, in order, with their checkpoints.
  const std::vector<StepRecord>& earlier_steps() const { return earlier_steps_; }
  // The checkpoint of the earlier step `name`, or nullptr when it has none.
  const Checkpoint* CheckpointOf(absl::string_view name) const;

  std::string ToLocal(absl::string_view coordinator_path) const;
  std::string ToCoordinator(absl::string_view local_path) const;
  // The agent's shared work dir as this agent mounts it (a local path), "" when it has none:
  // where a chunked re-encode's files go. Set by the runner with set_shared_work_dir.
  const std::string& shared_work_dir() const { return shared_work_dir_; }
  void set_shared_work_dir(std::string local_path) { shared_work_dir_ = std::move(local_path); }

  // Progress of this step, sent with the next heartbeat.
  void ReportProgress(const Progress& p) const;
  // A line in the job's log (mkvctl logs JOB) and in the agent's own log.
  void Log(LogLevel level, const std::string& text) const;
  bool cancelled() const { return cancel_ != nullptr && cancel_->load(); }
  // For process::ProcessSpec::cancel.
  const std::atomic<bool>* cancel_flag() const { return cancel_; }

 private:
  const Task& task_;
  std::string agent_name_, source_path_, work_dir_, shared_work_dir_;
  const std::vector<PathMapping>* path_map_;
  std::vector<StepRecord> earlier_steps_;
  const std::atomic<bool>* cancel_;
  Hooks hooks_;
  mutable std::mutex hooks_mu_;  // serialises the calls of hooks_
};

// One named stage of a pipeline.
class Step {
 public:
  virtual ~Step() = default;
  virtual std::string name() const = 0;
  // See the contract at the top of this file.
  virtual absl::StatusOr<StepResult> Run(StepContext& ctx) = 0;
};

// An ordered list of steps under a name. Immutable after construction; steps must be safe to run
// for one task at a time.
class Pipeline {
 public:
  Pipeline(std::string name, std::vector<std::unique_ptr<Step>> steps)
      : name_(std::move(name)), steps_(std::move(steps)) {}
  const std::string& name() const { return name_; }
  const std::vector<std::unique_ptr<Step>>& steps() const { return steps_; }

 private:
  std::string name_;
  std::vector<std::unique_ptr<Step>> steps_;
};

// True when a step failure with this status cannot be fixed by retrying (see top of file).
bool IsPermanentFailure(const absl::Status& status);

// A step failure that names chunks of a chunked re-encode to encode again (the assembling encode
// step found their files missing, truncated or changed): `status` with the indices attached as a
// payload, which the runner reports as ReportStepRequest.redo_chunks. RedoChunksOf reads them
// back (empty when there are none).
absl::Status WithRedoChunks(absl::Status status, const std::vector<int>& chunks);
std::vector<int> RedoChunksOf(const absl::Status& status);

}  // namespace mkvfleet::agent
