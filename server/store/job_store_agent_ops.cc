// JobStore operations agents drive (register, claim, heartbeat, report, release, log) and the
// reaper's housekeeping (expire leases, mark stale agents, restart grace).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "server/constants.h"
#include "server/store/job_store.h"
#include "server/jobs/task_rules.h"
#include "server/store/job_store_rows.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::server {
namespace {

std::string Truncated(const std::string& text) {
  return text.size() <= kMaxTextBytes ? text : text.substr(0, kMaxTextBytes) + "…";
}

absl::Status UnknownAgent(const std::string& name) {
  return absl::NotFoundError(
      absl::StrCat("agent ", name, " is not registered: call Register first"));
}

}  // namespace

absl::StatusOr<JobStore::TaskJob> JobStore::LoadTaskJobLocked(int64_t task_id) {
  ASSIGN_OR_RETURN(const rows::TaskRef ref, rows::TaskOf(*db_, task_id));
  ASSIGN_OR_RETURN(Job job, LoadJobLocked(ref.job_id));
  const bool known = ref.chunk_index < 0
                         ? job.task.id == task_id
                         : ref.chunk_index < static_cast<int>(job.chunks.size()) &&
                               job.chunks[ref.chunk_index].task.id == task_id;
  if (!known) {
    return absl::NotFoundError(
        absl::StrCat("task ", task_id, " is not an active task of job ", job.id));
  }
  return TaskJob{std::move(job), ref.chunk_index};
}

absl::StatusOr<JobStore::JobTxn> JobStore::BeginTaskTxnLocked(int64_t task_id) {
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(TaskJob task, LoadTaskJobLocked(task_id));
  return JobTxn{std::move(txn), std::move(task.job), task.chunk_index};
}

absl::StatusOr<AgentRecord*> JobStore::TouchAgentLocked(const std::string& name, int64_t now_ms) {
  AgentRecord* a = live_.FindAgent(name);
  if (a == nullptr) return UnknownAgent(name);
  const bool was_stale = a->stale;
  a->stale = false;
  a->last_heartbeat_ms = now_ms;
  if (was_stale) {
    QueueAgentEventLocked(live_.Snapshot(*a));
    spdlog::info("agent alive again agent={}", name);
  }
  return a;
}

absl::StatusOr<AgentRecord> JobStore::Register(const std::string& name, const std::string& version,
                                               const AgentCapabilities& capabilities,
                                               const std::string& instance_id) {
  absl::ReleasableMutexLock lock(&mu_);
  DropEventsLocked();
  const int64_t now = clock_->NowMs();
  AgentRecord a;
  if (const AgentRecord* known = live_.FindAgent(name)) {
    const int64_t silent_ms = now - known->last_heartbeat_ms;
    const bool live =
        !known->stale && silent_ms < absl::ToInt64Milliseconds(policy_.lease_duration);
    if (live && !instance_id.empty() && !known->instance_id.empty() &&
        known->instance_id != instance_id) {
      spdlog::warn("agent register refused agent={} reason=\"name held by another live agent\" "
                   "holder_last_heartbeat_ms_ago={}",
                   name, silent_ms);
      return absl::AlreadyExistsError(absl::StrCat(
          "agent name ", name, " is held by another running agent (last heartbeat ",
          silent_ms / 1000, " s ago): give each agent its own --name (or name in agent.toml); "
          "if the other one is gone, the name is free once it has been silent for ",
          absl::ToInt64Seconds(policy_.lease_duration), " s"));
    }
    a = *known;  // keeps the drained flag
  }
  a.name = name;
  a.instance_id = instance_id;
  a.version = version;
  a.capabilities = capabilities;
  a.stale = false;
  a.registered_ms = now;
  a.last_heartbeat_ms = now;
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  RETURN_IF_ERROR(SaveAgentLocked(a));
  a = live_.Snapshot(a);
  QueueAgentEventLocked(a);
  spdlog::info("agent registered agent={} version={} threads={} tools={} drained={}", name, version,
               capabilities.threads, capabilities.tools.size(), a.drained);
  RETURN_IF_ERROR(CommitAndUnlock(txn, lock));
  return a;
}

absl::StatusOr<int64_t> JobStore::PickClaimableJobLocked(int64_t now_ms, bool shared_dir) {
  // Two queries, each an ordered walk of jobs_by_state_id that stops at the first match: one
  // query with "pending OR failed" could not use the index order and sorted every candidate.
  ASSIGN_OR_RETURN(SqliteStatement pending,
                   db_->Prepare("SELECT id FROM jobs INDEXED BY jobs_by_state_id "
                                "WHERE state = 'pending' AND (chunk_manifest = '' OR ?) "
                                "ORDER BY id LIMIT 1"));
  ASSIGN_OR_RETURN(bool row, pending.BindAll(shared_dir ? 1 : 0).Step());
  if (row) return pending.Int(0);
  ASSIGN_OR_RETURN(SqliteStatement failed,
                   db_->Prepare("SELECT id FROM jobs INDEXED BY jobs_by_state_id "
                                "WHERE state = 'failed' AND not_before_ms <= ? "
                                "AND (chunk_manifest = '' OR ?) ORDER BY id LIMIT 1"));
  ASSIGN_OR_RETURN(row, failed.BindAll(now_ms, shared_dir ? 1 : 0).Step());
  return row ? failed.Int(0) : 0;
}

absl::StatusOr<std::optional<ClaimedTask>> JobStore::Claim(const std::string& agent_name) {
  absl::ReleasableMutexLock lock(&mu_);
  DropEventsLocked();
  const int64_t now = clock_->NowMs();
  ASSIGN_OR_RETURN(AgentRecord * live_agent, TouchAgentLocked(agent_name, now));
  if (live_agent->drained) {
    FlushEventsLocked();
    return absl::FailedPreconditionError(
        absl::StrCat("agent ", agent_name, " is drained: it claims nothing new until undrained"));
  }
  const AgentRecord a = *live_agent;
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  const bool shared_dir = !a.capabilities.shared_work_dir.empty();
  if (shared_dir) {
    ASSIGN_OR_RETURN(std::optional<ClaimedTask> chunk, ClaimChunkLocked(a, now));
    if (chunk.has_value()) {
      AgentRecord busy = a;
      busy.current_job_id = chunk->job.id;
      QueueAgentEventLocked(busy);
      RETURN_IF_ERROR(CommitAndUnlock(txn, lock));
      return chunk;
    }
  }
  // A chunked job assembles from the shared work dir: only agents that have one may take it.
  ASSIGN_OR_RETURN(const int64_t job_id, PickClaimableJobLocked(now, shared_dir));
  if (job_id == 0) {
    FlushEventsLocked();  // nothing written: the transaction rolls back
    return std::optional<ClaimedTask>();
  }
  ASSIGN_OR_RETURN(Job job, LoadJobLocked(job_id));
  const std::string lease_id = NewLeaseIdLocked();
  ASSIGN_OR_RETURN(const Note note, server::Claim(job, agent_name, lease_id, now, policy_));
  ClaimedTask claimed;
  ASSIGN_OR_RETURN(claimed.chunk_agents, CountChunkAgentsLocked());
  claimed.chunking = policy_.chunking;
  const bool assembling = !job.chunks.empty();  // claimable only once every chunk is done
  claimed.resume = ComputeResume(job.steps, agent_name, assembling);
  PrepareResume(job, claimed.resume.from_step);
  RETURN_IF_ERROR(SaveJobLocked(job));
  RETURN_IF_ERROR(LogLocked(job.id, "info", note));
  RETURN_IF_ERROR(LogLocked(job.id, "info", claimed.resume.reason));
  RETURN_IF_ERROR(QueueJobEventLocked(job.id));
  AgentRecord busy = a;
  busy.current_job_id = job.id;
  QueueAgentEventLocked(busy);
  spdlog::info("job claimed job={} task={} agent={} attempt={} resume_from_step={} reason=\"{}\"",
               job.id, job.task.id, agent_name, job.attempts, claimed.resume.from_step,
               claimed.resume.reason);
  RETURN_IF_ERROR(CommitAndUnlock(txn, lock));
  claimed.job = std::move(job);
  return std::optional<ClaimedTask>(std::move(claimed));
}

absl::StatusOr<HeartbeatResult> JobStore::Heartbeat(const std::string& agent_name,
                                                    const std::vector<LeaseRenewal>& leases,
                                                    int64_t free_temp_bytes) {
  absl::MutexLock lock(&mu_);
  DropEventsLocked();
  const int64_t now = clock_->NowMs();
  ASSIGN_OR_RETURN(AgentRecord * a, TouchAgentLocked(agent_name, now));
  a->capabilities.free_temp_bytes = free_temp_bytes;
  HeartbeatResult result;
  result.drained = a->drained;
  const int64_t deadline = now + absl::ToInt64Milliseconds(policy_.lease_duration);
  std::vector<int64_t> renewed_jobs;
  for (const LeaseRenewal& l : leases) {
    absl::Status st = live_.Renew(l.task_id, agent_name, l.lease_id, now, deadline, l.progress);
    if (!st.ok()) {
      result.revoked_lease_ids.push_back(l.lease_id);
      spdlog::warn("heartbeat lease revoked agent={} task={} reason=\"{}\"", agent_name,
                   l.task_id, std::string(st.message()));
      continue;
    }
    result.renewed_deadlines_ms[l.lease_id] = deadline;
    renewed_jobs.push_back(live_.FindLease(l.task_id)->job_id);
    a->progress = l.progress;
  }
  if (leases.empty()) a->progress = Progress{};
  for (int64_t job_id : renewed_jobs) RETURN_IF_ERROR(QueueJobEventLocked(job_id));
  if (!leases.empty()) QueueAgentEventLocked(live_.Snapshot(*a));
  FlushEventsLocked();  // nothing is written: see live_state.h
  return result;
}

absl::StatusOr<Job> JobStore::ReportStep(int64_t task_id, const StepReport& report) {
  absl::ReleasableMutexLock lock(&mu_);
  ASSIGN_OR_RETURN(JobTxn t, BeginTaskTxnLocked(task_id));
  SqliteTransaction& txn = t.txn;
  Job& job = t.job;
  const std::string agent = TaskLease(job, t.chunk_index).agent;
  StepReport r = report;
  r.error = Truncated(r.error);
  const double jitter = absl::Uniform(rng_, 0.0, 1.0);
  auto note = ApplyTaskReport(job, t.chunk_index, r, clock_->NowMs(), policy_, jitter);
  if (!note.ok()) {
    spdlog::warn("report refused job={} task={} step={} reason=\"{}\"", job.id, task_id,
                 report.step_index, std::string(note.status().message()));
    return note.status();
  }
  RETURN_IF_ERROR(SaveJobLocked(job));
  const bool failed = report.event == StepEvent::kFailed;
  if (!note->empty()) {
    RETURN_IF_ERROR(LogLocked(job.id, failed ? "error" : "info", *note));
  }
  RETURN_IF_ERROR(QueueJobEventLocked(job.id));
  pending_totals_.bytes_read += report.bytes_read;
  pending_totals_.bytes_written += report.bytes_written;
  if (failed && (job.state == JobState::kFailed ||
                 (t.chunk_index >= 0 && job.state == JobState::kRunning))) {
    ++pending_totals_.retries;  // the retry path (of the job, or of one chunk)
  }
  RETURN_IF_ERROR(CommitAndUnlock(txn, lock));
  if (!note->empty()) {
    spdlog::info("step report job={} step={} name={} agent={} state={} note=\"{}\"", job.id,
                 report.step_index, report.step_name, agent, JobStateName(job.state), *note);
  }
  return job;
}

absl::StatusOr<Job> JobStore::Release(int64_t task_id, const std::string& lease_id,
                                      const std::string& reason) {
  absl::ReleasableMutexLock lock(&mu_);
  ASSIGN_OR_RETURN(JobTxn t, BeginTaskTxnLocked(task_id));
  SqliteTransaction& txn = t.txn;
  Job& job = t.job;
  ASSIGN_OR_RETURN(const Note note, ReleaseTask(job, t.chunk_index, lease_id, Truncated(reason),
                                                clock_->NowMs()));
  RETURN_IF_ERROR(SaveJobLocked(job));
  RETURN_IF_ERROR(LogLocked(job.id, "info", note));
  RETURN_IF_ERROR(QueueJobEventLocked(job.id));
  RETURN_IF_ERROR(CommitAndUnlock(txn, lock));
  spdlog::info("lease released job={} task={} reason=\"{}\"", job.id, task_id, reason);
  return job;
}

absl::Status JobStore::AppendLog(int64_t task_id, const std::string& lease_id,
                                 const std::vector<LogLine>& lines) {
  absl::ReleasableMutexLock lock(&mu_);
  ASSIGN_OR_RETURN(JobTxn t, BeginTaskTxnLocked(task_id));
  SqliteTransaction& txn = t.txn;
  const Job& job = t.job;
  const int64_t now = clock_->NowMs();
  RETURN_IF_ERROR(CheckTaskLease(job, t.chunk_index, lease_id, now));
  for (LogLine line : lines) {
    if (line.time_ms == 0) line.time_ms = now;
    line.source = TaskLease(job, t.chunk_index).agent;  // the lease says who is talking
    if (line.level.empty()) line.level = "info";
    line.text = Truncated(line.text);
    RETURN_IF_ERROR(rows::InsertLog(*db_, job.id, line));
    StoreEvent ev;
    ev.kind = StoreEvent::Kind::kLog;
    ev.time_ms = line.time_ms;
    ev.job.id = job.id;
    ev.log = line;
    pending_events_.push_back(std::move(ev));
  }
  return CommitAndUnlock(txn, lock);
}

absl::StatusOr<std::vector<Job>> JobStore::ExpireLeases() {
  absl::ReleasableMutexLock lock(&mu_);
  DropEventsLocked();
  const int64_t now = clock_->NowMs();
  // The live state holds every lease with its renewed deadline (live_state.h).
  const std::vector<int64_t> task_ids = live_.ExpiredTasks(now);
  if (task_ids.empty()) return std::vector<Job>();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  std::vector<Job> changed;
  for (int64_t task_id : task_ids) {
    auto task = LoadTaskJobLocked(task_id);
    auto note = task.ok() ? ExpireTask(task->job, task->chunk_index, now, policy_)
                          : absl::StatusOr<Note>(task.status());
    if (!note.ok()) {
      // A lease left on a task the job no longer runs, or on a non-running job: nothing to
      // end; the reaper stops looking at it (the table is left as it is).
      pending_leases_.push_back(JobLeases{0, {task_id}, {}});
      continue;
    }
    Job& job = task->job;
    const std::string agent = TaskLease(job, task->chunk_index).agent;
    RETURN_IF_ERROR(SaveJobLocked(job));
    RETURN_IF_ERROR(LogLocked(job.id, "warn", *note));
    RETURN_IF_ERROR(QueueJobEventLocked(job.id));
    spdlog::warn("lease expired job={} chunk={} agent={} state={}", job.id, task->chunk_index,
                 agent, JobStateName(job.state));
    changed.push_back(std::move(job));
  }
  pending_totals_.lease_expiries += static_cast<int64_t>(changed.size());
  RETURN_IF_ERROR(CommitAndUnlock(txn, lock));
  return changed;
}

absl::StatusOr<std::vector<AgentRecord>> JobStore::MarkStaleAgents() {
  absl::ReleasableMutexLock lock(&mu_);
  DropEventsLocked();
  const int64_t cutoff = clock_->NowMs() - absl::ToInt64Milliseconds(policy_.lease_duration);
  std::vector<AgentRecord> stale;
  for (const auto& [name, live] : live_.agents()) {
    if (live.stale || live.last_heartbeat_ms > cutoff) continue;
    AgentRecord a = live_.Snapshot(live);
    a.stale = true;
    stale.push_back(a);
  }
  if (stale.empty()) return stale;
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  for (const AgentRecord& a : stale) {
    RETURN_IF_ERROR(SaveAgentLocked(a));
    QueueAgentEventLocked(a);
    spdlog::warn("agent stale agent={} last_heartbeat_ms={}", a.name, a.last_heartbeat_ms);
  }
  RETURN_IF_ERROR(CommitAndUnlock(txn, lock));
  return stale;
}

absl::StatusOr<int> JobStore::GraceLeasesAfterRestart() {
  absl::MutexLock lock(&mu_);
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  const int64_t now = clock_->NowMs();
  const int64_t floor = now + absl::ToInt64Milliseconds(policy_.lease_duration);
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_->Prepare(
          "UPDATE tasks SET lease_deadline_ms = ? WHERE lease_id != '' AND lease_deadline_ms < ?"));
  RETURN_IF_ERROR(s.BindAll(floor, floor).Run());
  const int extended = db_->Changes();
  // Agents get the same grace before being called stale.
  ASSIGN_OR_RETURN(
      SqliteStatement a,
      db_->Prepare("UPDATE agents SET last_heartbeat_ms = ? WHERE last_heartbeat_ms < ?"));
  RETURN_IF_ERROR(a.BindAll(now, now).Run());
  RETURN_IF_ERROR(CommitLocked(txn));
  live_.ExtendDeadlines(floor);
  for (auto& [name, agent] : live_.agents()) {
    agent.last_heartbeat_ms = std::max(agent.last_heartbeat_ms, now);
  }
  if (extended > 0) spdlog::info("leases extended after restart count={}", extended);
  return extended;
}

}  // namespace mkvfleet::server
