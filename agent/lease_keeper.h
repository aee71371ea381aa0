// The heartbeat thread: every heartbeat interval it renews the lease this agent holds, carrying the
// running step's progress and the free space of the work dir. When the coordinator answers that
// the lease is revoked (expired and reassigned, cancelled, reset) it sets the task's cancel flag, so
// the step and its subprocesses stop and the results are discarded.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/coordinator_client.h"
#include "agent/task.h"

namespace mkvfleet::agent {

// Thread-safe. Start() once, Stop() (or destruction) joins the thread.
class LeaseKeeper {
 public:
  LeaseKeeper(CoordinatorClient& client, std::string agent_name, std::string work_dir);
  ~LeaseKeeper();

  void Start(absl::Duration interval);
  void SetInterval(absl::Duration interval);
  void Stop();

  // From now on, renew `task`'s lease; a revocation sets *cancel (which must outlive Drop()).
  void Hold(const Task& task, std::atomic<bool>* cancel);
  // Stop renewing the held lease.
  void Drop();
  void UpdateProgress(const std::string& step, const Progress& progress);

  // Whether the coordinator revoked the lease held since the last Hold().
  bool revoked() const { return revoked_.load(); }
  // Whether the coordinator said this agent is drained (latest heartbeat).
  bool drained() const { return drained_.load(); }

 private:
  void Loop();
  bool ShouldWake() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || beat_now_; }
  void Beat();

  CoordinatorClient& client_;
  const std::string agent_name_;
  const std::string work_dir_;
  std::atomic<bool> revoked_{false};
  std::atomic<bool> drained_{false};

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool beat_now_ ABSL_GUARDED_BY(mu_) = false;  // wake the loop early (new interval or lease)
  absl::Duration interval_ ABSL_GUARDED_BY(mu_) = absl::Seconds(5);
  std::optional<LeaseProgressInfo> lease_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool>* cancel_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool was_unreachable_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace mkvfleet::agent
