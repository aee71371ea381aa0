// See lease_tracker.h.
#include "bench/load/lease_tracker.h"

#include "absl/strings/str_cat.h"

namespace mkvfleet::bench {

void LeaseTracker::ViolationLocked(const std::string& what) {
  ++summary_.violations;
  if (summary_.first_violations.size() < 10) summary_.first_violations.push_back(what);
}

void LeaseTracker::AddViolation(const std::string& what) {
  absl::MutexLock lock(&mu_);
  ViolationLocked(what);
}

void LeaseTracker::OnClaimed(int64_t job_id, const std::string& agent, const std::string& lease_id,
                             int64_t deadline_ms, int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  ++summary_.claims;
  Entry& e = jobs_[job_id];
  switch (e.held) {
    case Held::kNone:
    case Held::kReleasing:
      break;
    case Held::kCompleted:
      ViolationLocked(absl::StrCat("job ", job_id, " claimed by ", agent, " after ", e.agent,
                                   " completed it (and it was not reset)"));
      break;
    case Held::kHeld:
      if (e.deadline_ms <= now_ms) {
        ++summary_.expired_takeovers;  // the old lease ran out: the coordinator may hand it on
      } else {
        ViolationLocked(absl::StrCat("double claim: job ", job_id, " claimed by ", agent,
                                     " while ", e.agent, " holds lease ", e.lease_id, " for ",
                                     e.deadline_ms - now_ms, " ms more"));
      }
      break;
  }
  e = Entry{Held::kHeld, agent, lease_id, deadline_ms};
}

void LeaseTracker::OnRenewed(int64_t job_id, const std::string& lease_id, int64_t deadline_ms) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || it->second.lease_id != lease_id) return;
  if (it->second.held == Held::kHeld && deadline_ms > it->second.deadline_ms) {
    it->second.deadline_ms = deadline_ms;
  }
}

void LeaseTracker::OnCompleted(int64_t job_id, const std::string& lease_id) {
  absl::MutexLock lock(&mu_);
  ++summary_.completions;
  Entry& e = jobs_[job_id];
  if (e.lease_id != lease_id) {
    ViolationLocked(absl::StrCat("job ", job_id, " completed under lease ", lease_id,
                                 " while the ledger says ", e.agent, " holds ", e.lease_id));
  }
  e.held = Held::kCompleted;
}

void LeaseTracker::OnReleasing(int64_t job_id, const std::string& lease_id) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || it->second.lease_id != lease_id) return;
  if (it->second.held == Held::kHeld) {
    it->second.held = Held::kReleasing;
    ++summary_.releases;
  }
}

void LeaseTracker::OnLost(int64_t job_id, const std::string& lease_id) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || it->second.lease_id != lease_id) return;
  if (it->second.held == Held::kHeld) {
    it->second.held = Held::kNone;
    ++summary_.lost_leases;
  }
}

void LeaseTracker::OnReset(int64_t job_id) {
  absl::MutexLock lock(&mu_);
  ++summary_.resets;
  auto it = jobs_.find(job_id);
  if (it != jobs_.end() && it->second.held == Held::kCompleted) it->second.held = Held::kNone;
}

LedgerSummary LeaseTracker::Summary() const {
  absl::MutexLock lock(&mu_);
  return summary_;
}

}  // namespace mkvfleet::bench
