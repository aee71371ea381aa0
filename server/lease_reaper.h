// The background housekeeper: every interval it ends expired leases (jobs back to pending, or
// failed_permanent on the last attempt; each logged to the job log and announced as events) and
// marks agents without heartbeats as stale. Thread-safe; Stop() is idempotent and joins.
#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/job_store.h"

namespace mkvfleet::server {

class LeaseReaper {
 public:
  // `store` must outlive the reaper.
  LeaseReaper(JobStore& store, absl::Duration interval) : store_(store), interval_(interval) {}
  ~LeaseReaper() { Stop(); }
  LeaseReaper(const LeaseReaper&) = delete;
  LeaseReaper& operator=(const LeaseReaper&) = delete;

  void Start();
  void Stop();
  // One pass; store errors are logged, not fatal (the next pass retries).
  void RunOnce();

 private:
  void Loop();

  JobStore& store_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace mkvfleet::server
