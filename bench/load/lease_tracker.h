// The correctness ledger of load_bench: what the simulated agents were told about every job (who
// holds its lease, until when, whether it finished or was handed back) and the violations seen:
// a job handed to a second agent while another agent's lease on it was live, a job claimed again
// after it completed (and before the bench reset it), stale-lease refusals nobody caused.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace mkvfleet::bench {

// Counts and the first violations, for the report.
struct LedgerSummary {
  int64_t claims = 0;
  int64_t completions = 0;       // FINISHED with outcome COMPLETED acknowledged
  int64_t releases = 0;          // ReleaseTask acknowledged
  int64_t resets = 0;            // completed jobs sent back to pending (ResetJob sent)
  int64_t expired_takeovers = 0; // claimed after the previous holder's known deadline passed
  int64_t lost_leases = 0;       // revoked or refused as stale (after an uncertain call)
  int64_t violations = 0;
  std::vector<std::string> first_violations;  // up to 10, one line each
};

// Thread-safe. Times are the coordinator's Unix milliseconds (same host as the bench).
class LeaseTracker {
 public:
  // An agent was handed job `job_id` under `lease_id` until `deadline_ms`. Records a violation
  // when another agent holds a live lease on it, or when it completed and was not reset since.
  void OnClaimed(int64_t job_id, const std::string& agent, const std::string& lease_id,
                 int64_t deadline_ms, int64_t now_ms);
  // A heartbeat or report renewed the lease to `deadline_ms`.
  void OnRenewed(int64_t job_id, const std::string& lease_id, int64_t deadline_ms);
  // The completing report was acknowledged: the job must now be completed, by `agent`.
  void OnCompleted(int64_t job_id, const std::string& lease_id);
  // The agent is handing the lease back (sent, not yet answered): a claim by another agent from
  // now on is legitimate.
  void OnReleasing(int64_t job_id, const std::string& lease_id);
  // The agent gave up the lease without completing (revoked, refused as stale, or its calls
  // timed out): another agent may take the job.
  void OnLost(int64_t job_id, const std::string& lease_id);
  // The bench is about to reset the completed job to pending (called before ResetJob is sent, so
  // a claim racing its answer is not taken for a violation).
  void OnReset(int64_t job_id);
  // A violation found elsewhere (an audit mismatch, an unexpected refusal).
  void AddViolation(const std::string& what);
  LedgerSummary Summary() const;

 private:
  enum class Held { kNone, kHeld, kReleasing, kCompleted };
  struct Entry {
    Held held = Held::kNone;
    std::string agent;
    std::string lease_id;
    int64_t deadline_ms = 0;
  };
  void ViolationLocked(const std::string& what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<int64_t, Entry> jobs_ ABSL_GUARDED_BY(mu_);
  LedgerSummary summary_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mkvfleet::bench
