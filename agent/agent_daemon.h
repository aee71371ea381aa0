// The agent process's main loop: register (retrying with capped jittered backoff while the
// coordinator is unreachable or another live agent holds our name, and again after it
// restarted), claim a task (polling while idle), run it through the Pipeline with a heartbeat
// thread renewing the lease, clean up the job's work folder, repeat.
//
// Graceful stop (SIGINT/SIGTERM -> RequestStop()): claim nothing more; let the running step finish
// within config.stop_grace (its result and checkpoint are reported, so nobody redoes it), start no
// further step, and hand the lease back (ReleaseTask) so another agent can continue at once. When
// the grace period ends first (or on a second RequestStop()), the running step is cancelled: the
// steps finished before it stay checkpointed, and the lease is handed back just the same.
//
// Chunk tasks (Task::chunk set) run the chunk step (encode/chunk_runner.h) alone instead of the
// pipeline, reported as the job's "encode" step under the chunk task's id and lease, with the same
// heartbeats, revocation, cancellation and graceful stop. They use no job work folder and leave
// those of other jobs alone. A whole-job task whose encode step chunked the job (kChunked) keeps
// its work folder: the job comes back to assemble, maybe here.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "agent/agent_config.h"
#include "agent/coordinator_client.h"
#include "agent/lease_keeper.h"
#include "agent/pipeline.h"
#include "agent/step_runner.h"
#include "agent/task.h"
#include "agent/work_dirs.h"
#include "common/notify/notifier.h"

namespace mkvfleet::agent {

// Reconnect backoff while the coordinator is unreachable.
inline constexpr absl::Duration kReconnectInitial = absl::Milliseconds(250);
inline constexpr absl::Duration kReconnectMax = absl::Seconds(10);

class AgentDaemon {
 public:
  // `chunk_step` runs chunk tasks; null = this agent fails them (retryable) with a clear message.
  AgentDaemon(AgentConfig config, std::unique_ptr<Pipeline> pipeline,
              std::unique_ptr<Step> chunk_step = nullptr);

  // Runs until RequestStop(). OK after a clean stop; an error (for a non-zero exit) when the work
  // dir or the shared work dir is unusable (CheckSharedWorkDir) or the coordinator refuses the
  // agent token.
  absl::Status Run();
  ~AgentDaemon();

  // First call: graceful stop (see above). A later call: cancel the running step now.
  // Thread-safe (not async-signal-safe: call it from a signal-handling thread).
  void RequestStop();

 private:
  absl::Status RegisterOnce();
  void RunTask(const Task& task);
  // The chunk-task part of RunTask: runs chunk_step_ and says how it ended.
  RunSummary RunChunk(const Task& task, TaskReporter& reporter);
  // Sleeps `d` or until RequestStop().
  void Pause(absl::Duration d);

  const AgentConfig config_;
  const std::unique_ptr<Pipeline> pipeline_;
  const std::unique_ptr<Step> chunk_step_;
  CoordinatorClient client_;
  LeaseKeeper keeper_;
  WorkDirs work_dirs_;
  std::string instance_id_;  // WorkDirs::InstanceId(), set by Run()
  absl::Duration heartbeat_interval_ = absl::Seconds(5);  // as the coordinator last said
  const notify::Notifier notifier_;
  absl::Notification stop_;
  absl::Notification run_done_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> task_cancel_{false};
  std::atomic<bool> task_running_{false};
  absl::Mutex grace_mu_;
  std::thread grace_timer_ ABSL_GUARDED_BY(grace_mu_);  // cancels the step when grace runs out
};

}  // namespace mkvfleet::agent
