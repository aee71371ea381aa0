// LiveState (see the header): held leases and agents in memory.
#include "server/store/live_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/jobs/chunk_rules.h"

namespace mkvfleet::server {

JobLeases LeasesOf(const Job& job) {
  JobLeases out;
  out.job_id = job.id;
  auto add = [&](const Task& task, int chunk_index, const Progress& progress) {
    if (task.id == 0) return;
    out.task_ids.push_back(task.id);
    if (task.lease.id.empty()) return;
    out.held.push_back(LiveLease{task.id, job.id, chunk_index, task.lease, progress,
                                 job.updated_ms});
  };
  add(job.task, -1, job.progress);
  for (const Chunk& c : job.chunks) add(c.task, c.index, c.progress);
  return out;
}

void LiveState::Erase(int64_t task_id) {
  auto it = leases_.find(task_id);
  if (it == leases_.end()) return;
  by_agent_.erase({it->second.lease.agent, task_id});
  leases_.erase(it);
}

void LiveState::Replace(const JobLeases& leases) {
  for (int64_t task_id : leases.task_ids) Erase(task_id);
  for (const LiveLease& l : leases.held) {
    Erase(l.task_id);
    leases_[l.task_id] = l;
    by_agent_[{l.lease.agent, l.task_id}] = l.job_id;
  }
}

const LiveLease* LiveState::FindLease(int64_t task_id) const {
  auto it = leases_.find(task_id);
  return it == leases_.end() ? nullptr : &it->second;
}

absl::Status LiveState::Renew(int64_t task_id, const std::string& agent,
                              const std::string& lease_id, int64_t now_ms, int64_t deadline_ms,
                              const Progress& progress) {
  auto it = leases_.find(task_id);
  if (it == leases_.end()) {
    return absl::NotFoundError(absl::StrCat("stale lease: task ", task_id, " holds no lease"));
  }
  LiveLease& l = it->second;
  if (l.lease.id != lease_id) {
    return absl::FailedPreconditionError(absl::StrCat("stale lease: job ", l.job_id,
                                                      " is now leased to agent ", l.lease.agent));
  }
  if (l.lease.agent != agent) {
    return absl::FailedPreconditionError("lease held by another agent");
  }
  if (l.lease.deadline_ms <= now_ms) {
    return absl::FailedPreconditionError(absl::StrCat("stale lease: the lease on job ", l.job_id,
                                                      " expired at ", l.lease.deadline_ms,
                                                      " ms"));
  }
  l.lease.deadline_ms = deadline_ms;
  l.progress = progress;
  l.updated_ms = now_ms;
  return absl::OkStatus();
}

void LiveState::Overlay(Job& job) const {
  auto live = [&](const Task& task) -> const LiveLease* {
    const LiveLease* l = FindLease(task.id);
    return l != nullptr && !task.lease.id.empty() && l->lease.id == task.lease.id ? l : nullptr;
  };
  bool chunk_moved = false;
  for (Chunk& c : job.chunks) {
    if (const LiveLease* l = live(c.task)) {
      c.task.lease.deadline_ms = std::max(c.task.lease.deadline_ms, l->lease.deadline_ms);
      if (l->updated_ms >= job.updated_ms) {
        c.progress = l->progress;
        job.updated_ms = l->updated_ms;
        chunk_moved = true;
      }
    }
  }
  if (chunk_moved) job.progress = ChunkedProgress(job);
  if (const LiveLease* l = live(job.task)) {
    job.task.lease.deadline_ms = std::max(job.task.lease.deadline_ms, l->lease.deadline_ms);
    if (l->updated_ms >= job.updated_ms) {
      job.progress = l->progress;
      job.updated_ms = l->updated_ms;
    }
  }
}

std::vector<int64_t> LiveState::ExpiredTasks(int64_t now_ms) const {
  std::vector<int64_t> out;
  for (const auto& [task_id, l] : leases_) {
    if (l.lease.deadline_ms <= now_ms) out.push_back(task_id);
  }
  return out;
}

int LiveState::ExtendDeadlines(int64_t floor_ms) {
  int moved = 0;
  for (auto& [task_id, l] : leases_) {
    if (l.lease.deadline_ms < floor_ms) {
      l.lease.deadline_ms = floor_ms;
      ++moved;
    }
  }
  return moved;
}

int64_t LiveState::CurrentJobOf(const std::string& agent) const {
  auto it = by_agent_.lower_bound({agent, 0});
  return it != by_agent_.end() && it->first.first == agent ? it->second : 0;
}

AgentRecord* LiveState::FindAgent(const std::string& name) {
  auto it = agents_.find(name);
  return it == agents_.end() ? nullptr : &it->second;
}

AgentRecord LiveState::Snapshot(const AgentRecord& agent) const {
  AgentRecord a = agent;
  a.current_job_id = CurrentJobOf(agent.name);
  return a;
}

}  // namespace mkvfleet::server
