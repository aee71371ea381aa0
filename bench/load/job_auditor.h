// Checks with the admin API (GetJob) that what the simulated agents were told is what the table
// says: a job whose completing report was acknowledged is completed, by that agent, with its
// output and every step done; a job handed back at the end is pending. With recycling on, a
// verified completed job is then reset to pending (ResetJob) so the table keeps its size and the
// agents never run out of work. Mismatches go to the LeaseTracker as violations.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "bench/load/lease_tracker.h"
#include "bench/load/rpc_call.h"
#include "grpcpp/channel.h"
#include "mkvfleet/v1/admin.grpc.pb.h"

namespace mkvfleet::bench {

// What a job must look like when audited.
struct JobExpectation {
  int64_t job_id = 0;
  bool completed = true;  // true: completed by `agent` with `output`; false: pending
  std::string agent;
  std::string output;
  int steps = 0;  // completed: this many steps, all done
};

struct AuditSummary {
  int64_t audited = 0;
  int64_t mismatches = 0;
  int64_t unanswered = 0;  // GetJob failed (timeout...): not checked
};

// Thread-safe. Keeps at most `max_in_flight` admin calls in flight.
class JobAuditor {
 public:
  JobAuditor(std::shared_ptr<grpc::Channel> channel, CallSink sink, LeaseTracker& ledger,
             bool recycle, int max_in_flight);
  // Queues one check (and, for completed jobs with recycling on, the reset after it).
  void Submit(JobExpectation expectation);
  // Blocks until every queued check (and reset) has been answered.
  void Drain();
  AuditSummary Summary() const;

 private:
  // Starts queued checks while fewer than max_in_flight_ are busy.
  void Pump();
  void Check(const JobExpectation& e, const v1::Job& job);
  void Finished();
  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return queue_.empty() && busy_ == 0; }

  std::unique_ptr<v1::AdminService::Stub> stub_;
  const CallSink sink_;
  LeaseTracker& ledger_;
  const bool recycle_;
  const int max_in_flight_;
  mutable absl::Mutex mu_;
  std::deque<JobExpectation> queue_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  AuditSummary summary_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mkvfleet::bench
