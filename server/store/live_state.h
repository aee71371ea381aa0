// LiveState: what changes on every heartbeat, kept in memory instead of the job table. A
// heartbeat renews lease deadlines, carries progress and proves an agent alive many times a
// second across a fleet; writing each one durably cost an fsync per call and made the table the
// bottleneck. Here the store keeps, for every held lease, the deadline and progress as last
// renewed, and every agent's record with its liveness; the table gets them whenever the job or
// agent is written for a durable reason (claim, report, release, expiry, register, drain).
//
// Why losing this on a crash is safe: after a restart every held lease is given a full lease
// duration from the restart (JobStore::GraceLeasesAfterRestart), so a renewal that was not
// written only shortens nothing; agents count as alive from the restart; progress is
// re-reported by the next heartbeat. Nothing acknowledged as done is ever held only here.
//
// Plain data with no locking and no I/O: JobStore guards it with its mutex.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "server/jobs/job_model.h"

namespace mkvfleet::server {

// One held lease as last renewed.
struct LiveLease {
  int64_t task_id = 0;
  int64_t job_id = 0;
  int chunk_index = -1;  // -1: the whole-job task
  Lease lease;
  Progress progress;
  int64_t updated_ms = 0;
};

// The held leases of one job as written to the table (see LiveState::Replace).
struct JobLeases {
  int64_t job_id = 0;
  std::vector<int64_t> task_ids;  // every task of the job, held or not
  std::vector<LiveLease> held;
};

// The leases a saved job holds now, with its progress and update time.
JobLeases LeasesOf(const Job& job);

class LiveState {
 public:
  // --- Leases -------------------------------------------------------------------------------
  // After a durable write of a job: its tasks' leases become exactly `leases.held`.
  void Replace(const JobLeases& leases);
  const LiveLease* FindLease(int64_t task_id) const;
  // Renews the lease on `task_id` held by `agent` under `lease_id` until `deadline_ms`, with
  // `progress`: FailedPrecondition (stale or another agent's lease) or NotFound (no lease held
  // on that task) as the job rules would refuse it; nothing changes then.
  absl::Status Renew(int64_t task_id, const std::string& agent, const std::string& lease_id,
                     int64_t now_ms, int64_t deadline_ms, const Progress& progress);
  // A job read from the table gets the deadlines, progress and update time renewed since it
  // was written (only for leases it still holds under the same id).
  void Overlay(Job& job) const;
  // Tasks whose lease deadline is at or before `now_ms`, in task order.
  std::vector<int64_t> ExpiredTasks(int64_t now_ms) const;
  // Gives every lease at least `floor_ms` as its deadline (restart grace). Returns how many moved.
  int ExtendDeadlines(int64_t floor_ms);
  // A job `agent` holds a lease on (its lowest task), 0 = none.
  int64_t CurrentJobOf(const std::string& agent) const;
  size_t lease_count() const { return leases_.size(); }

  // --- Agents -------------------------------------------------------------------------------
  // Every registered agent by name, with liveness, progress and free temp bytes as last heard.
  std::map<std::string, AgentRecord>& agents() { return agents_; }
  const std::map<std::string, AgentRecord>& agents() const { return agents_; }
  AgentRecord* FindAgent(const std::string& name);
  // The agent's record with current_job_id filled in from the leases.
  AgentRecord Snapshot(const AgentRecord& agent) const;

 private:
  void Erase(int64_t task_id);

  std::map<int64_t, LiveLease> leases_;                        // by task id
  std::map<std::pair<std::string, int64_t>, int64_t> by_agent_;  // (agent, task) -> job
  std::map<std::string, AgentRecord> agents_;
};

}  // namespace mkvfleet::server
