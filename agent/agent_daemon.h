// The agent process's main loop: register (retrying with capped jittered backoff while the
// coordinator is unreachable, and again after it restarted), claim a task (polling while idle),
// run it through the Pipeline with a heartbeat thread renewing the lease, clean up the job's work
// folder, repeat. RequestStop() (SIGINT/SIGTERM) stops claiming, cancels the running step and hands
// the lease back (ReleaseTask) so another agent can continue at once.
#pragma once

#include <atomic>
#include <memory>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "agent/agent_config.h"
#include "agent/coordinator_client.h"
#include "agent/lease_keeper.h"
#include "agent/pipeline.h"
#include "agent/task.h"
#include "agent/work_dirs.h"

namespace mkvfleet::agent {

// Reconnect backoff while the coordinator is unreachable.
inline constexpr absl::Duration kReconnectInitial = absl::Milliseconds(250);
inline constexpr absl::Duration kReconnectMax = absl::Seconds(10);

class AgentDaemon {
 public:
  AgentDaemon(AgentConfig config, std::unique_ptr<Pipeline> pipeline);

  // Runs until RequestStop(). OK after a clean stop; an error (for a non-zero exit) when the work
  // dir is unusable or the coordinator refuses the agent token.
  absl::Status Run();
  // Thread-safe (not async-signal-safe: call it from a signal-handling thread).
  void RequestStop();

 private:
  absl::Status RegisterOnce();
  void RunTask(const Task& task);
  // Sleeps `d` or until RequestStop().
  void Pause(absl::Duration d);

  const AgentConfig config_;
  const std::unique_ptr<Pipeline> pipeline_;
  CoordinatorClient client_;
  LeaseKeeper keeper_;
  WorkDirs work_dirs_;
  absl::Notification stop_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> task_cancel_{false};
};

}  // namespace mkvfleet::agent
