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
  ASSIGN_OR_RETURN(Job job, rows::LoadJob(*db_, ref.job_id));
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

absl::StatusOr<JobStore::AgentTxn> JobStore::BeginAgentTxnLocked(const std::string& name,
                                                                 bool may_be_new) {
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(std::optional<AgentRecord> agent, rows::LoadAgent(*db_, name));
  if (!agent.has_value() && !may_be_new) return UnknownAgent(name);
  return AgentTxn{std::move(txn), std::move(agent).value_or(AgentRecord{})};
}

absl::StatusOr<JobStore::JobTxn> JobStore::BeginTaskTxnLocked(int64_t task_id) {
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(TaskJob task, LoadTaskJobLocked(task_id));
  return JobTxn{std::move(txn), std::move(task.job), task.chunk_index};
}

absl::StatusOr<AgentRecord> JobStore::Register(const std::string& name, const std::string& version,
                                               const AgentCapabilities& capabilities) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(AgentTxn t, BeginAgentTxnLocked(name, /*may_be_new=*/true));
  SqliteTransaction& txn = t.txn;
  AgentRecord a = std::move(t.agent);
  const int64_t now = clock_->NowMs();
  a.name = name;
  a.version = version;
  a.capabilities = capabilities;
  a.stale = false;
  a.registered_ms = now;
  a.last_heartbeat_ms = now;
  RETURN_IF_ERROR(rows::SaveAgent(*db_, a));
  QueueAgentEventLocked(a);
  RETURN_IF_ERROR(CommitLocked(txn));
  spdlog::info("agent registered agent={} version={} threads={} tools={} drained={}", name, version,
               capabilities.threads, capabilities.tools.size(), a.drained);
  return a;
}

absl::StatusOr<std::optional<ClaimedTask>> JobStore::Claim(const std::string& agent_name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(AgentTxn t, BeginAgentTxnLocked(agent_name));
  SqliteTransaction& txn = t.txn;
  AgentRecord a = std::move(t.agent);
  if (a.drained) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent ", agent_name, " is drained: it claims nothing new until undrained"));
  }
  const int64_t now = clock_->NowMs();
  const bool was_stale = a.stale;
  a.stale = false;
  a.last_heartbeat_ms = now;
  RETURN_IF_ERROR(rows::SaveAgent(*db_, a));
  if (was_stale) QueueAgentEventLocked(a);

  const bool shared_dir = !a.capabilities.shared_work_dir.empty();
  if (shared_dir) {
    ASSIGN_OR_RETURN(std::optional<ClaimedTask> chunk, ClaimChunkLocked(a, now));
    if (chunk.has_value()) {
      a.current_job_id = chunk->job.id;
      QueueAgentEventLocked(a);
      RETURN_IF_ERROR(CommitLocked(txn));
      return chunk;
    }
  }
  // A chunked job assembles from the shared work dir: only agents that have one may take it.
  ASSIGN_OR_RETURN(
      SqliteStatement pick,
      db_->Prepare("SELECT id FROM jobs WHERE (state = 'pending' OR (state = 'failed' AND "
                   "not_before_ms <= ?)) AND (chunk_manifest = '' OR ?) "
                   "ORDER BY state = 'failed', id LIMIT 1"));
  ASSIGN_OR_RETURN(const bool row, pick.BindAll(now, shared_dir ? 1 : 0).Step());
  if (!row) {
    RETURN_IF_ERROR(CommitLocked(txn));
    return std::optional<ClaimedTask>();
  }
  ASSIGN_OR_RETURN(Job job, rows::LoadJob(*db_, pick.Int(0)));
  const std::string lease_id = NewLeaseIdLocked();
  ASSIGN_OR_RETURN(const Note note, server::Claim(job, agent_name, lease_id, now, policy_));
  ClaimedTask claimed;
  ASSIGN_OR_RETURN(claimed.chunk_agents, CountChunkAgentsLocked());
  claimed.chunking = policy_.chunking;
  const bool assembling = !job.chunks.empty();  // claimable only once every chunk is done
  claimed.resume = ComputeResume(job.steps, agent_name, assembling);
  PrepareResume(job, claimed.resume.from_step);
  RETURN_IF_ERROR(rows::SaveJob(*db_, job));
  RETURN_IF_ERROR(LogLocked(job.id, "info", note));
  RETURN_IF_ERROR(LogLocked(job.id, "info", claimed.resume.reason));
  RETURN_IF_ERROR(QueueJobEventLocked(job.id));
  a.current_job_id = job.id;
  QueueAgentEventLocked(a);
  RETURN_IF_ERROR(CommitLocked(txn));
  spdlog::info("job claimed job={} task={} agent={} attempt={} resume_from_step={} reason=\"{}\"",
               job.id, job.task.id, agent_name, job.attempts, claimed.resume.from_step,
               claimed.resume.reason);
  claimed.job = std::move(job);
  return std::optional<ClaimedTask>(std::move(claimed));
}

absl::StatusOr<HeartbeatResult> JobStore::Heartbeat(const std::string& agent_name,
                                                    const std::vector<LeaseRenewal>& leases,
                                                    int64_t free_temp_bytes) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(AgentTxn t, BeginAgentTxnLocked(agent_name));
  SqliteTransaction& txn = t.txn;
  AgentRecord a = std::move(t.agent);
  const int64_t now = clock_->NowMs();
  const bool was_stale = a.stale;
  a.stale = false;
  a.last_heartbeat_ms = now;
  a.capabilities.free_temp_bytes = free_temp_bytes;
  HeartbeatResult result;
  result.drained = a.drained;
  for (const LeaseRenewal& l : leases) {
    auto task = LoadTaskJobLocked(l.task_id);
    absl::Status st = task.ok() ? absl::OkStatus() : task.status();
    if (st.ok() && TaskLease(task->job, task->chunk_index).agent != agent_name) {
      st = absl::FailedPreconditionError("lease held by another agent");
    }
    if (st.ok()) {
      st = RenewTask(task->job, task->chunk_index, l.lease_id, now, policy_, &l.progress);
    }
    if (!st.ok()) {
      if (!absl::IsFailedPrecondition(st) && !absl::IsNotFound(st)) return st;
      result.revoked_lease_ids.push_back(l.lease_id);
      spdlog::warn("heartbeat lease revoked agent={} task={} reason=\"{}\"", agent_name, l.task_id,
                   std::string(st.message()));
      continue;
    }
    Job& job = task->job;
    RETURN_IF_ERROR(rows::SaveJob(*db_, job));
    RETURN_IF_ERROR(QueueJobEventLocked(job.id));
    result.renewed_deadlines_ms[l.lease_id] = TaskLease(job, task->chunk_index).deadline_ms;
    a.progress = l.progress;
  }
  if (leases.empty()) a.progress = Progress{};
  RETURN_IF_ERROR(rows::SaveAgent(*db_, a));
  if (was_stale || !leases.empty()) {
    auto fresh = rows::LoadAgent(*db_, agent_name);
    if (fresh.ok() && fresh->has_value()) QueueAgentEventLocked(**fresh);
  }
  RETURN_IF_ERROR(CommitLocked(txn));
  if (was_stale) spdlog::info("agent alive again agent={}", agent_name);
  return result;
}

absl::StatusOr<Job> JobStore::ReportStep(int64_t task_id, const StepReport& report) {
  absl::MutexLock lock(&mu_);
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
  RETURN_IF_ERROR(rows::SaveJob(*db_, job));
  const bool failed = report.event == StepEvent::kFailed;
  if (!note->empty()) {
    RETURN_IF_ERROR(LogLocked(job.id, failed ? "error" : "info", *note));
  }
  RETURN_IF_ERROR(QueueJobEventLocked(job.id));
  RETURN_IF_ERROR(CommitLocked(txn));
  totals_.bytes_read += report.bytes_read;
  totals_.bytes_written += report.bytes_written;
  if (failed && (job.state == JobState::kFailed ||
                 (t.chunk_index >= 0 && job.state == JobState::kRunning))) {
    ++totals_.retries;  // the retry path (of the job, or of one chunk)
  }
  if (!note->empty()) {
    spdlog::info("step report job={} step={} name={} agent={} state={} note=\"{}\"", job.id,
                 report.step_index, report.step_name, agent, JobStateName(job.state), *note);
  }
  return job;
}

absl::StatusOr<Job> JobStore::Release(int64_t task_id, const std::string& lease_id,
                                      const std::string& reason) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(JobTxn t, BeginTaskTxnLocked(task_id));
  SqliteTransaction& txn = t.txn;
  Job& job = t.job;
  ASSIGN_OR_RETURN(const Note note, ReleaseTask(job, t.chunk_index, lease_id, Truncated(reason),
                                                clock_->NowMs()));
  RETURN_IF_ERROR(rows::SaveJob(*db_, job));
  RETURN_IF_ERROR(LogLocked(job.id, "info", note));
  RETURN_IF_ERROR(QueueJobEventLocked(job.id));
  RETURN_IF_ERROR(CommitLocked(txn));
  spdlog::info("lease released job={} task={} reason=\"{}\"", job.id, task_id, reason);
  return job;
}

absl::Status JobStore::AppendLog(int64_t task_id, const std::string& lease_id,
                                 const std::vector<LogLine>& lines) {
  absl::MutexLock lock(&mu_);
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
  return CommitLocked(txn);
}

absl::StatusOr<std::vector<Job>> JobStore::ExpireLeases() {
  absl::MutexLock lock(&mu_);
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  const int64_t now = clock_->NowMs();
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_->Prepare(
          "SELECT id FROM tasks WHERE lease_id != '' AND lease_deadline_ms <= ? ORDER BY id"));
  s.BindAll(now);
  std::vector<int64_t> task_ids;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) break;
    task_ids.push_back(s.Int(0));
  }
  std::vector<Job> changed;
  for (int64_t task_id : task_ids) {
    auto task = LoadTaskJobLocked(task_id);
    if (!task.ok()) continue;  // a lease left on a task the job no longer runs
    Job& job = task->job;
    const std::string agent = TaskLease(job, task->chunk_index).agent;
    auto note = ExpireTask(job, task->chunk_index, now, policy_);
    if (!note.ok()) continue;  // e.g. a lease left on a non-running job: nothing to end
    RETURN_IF_ERROR(rows::SaveJob(*db_, job));
    RETURN_IF_ERROR(LogLocked(job.id, "warn", *note));
    RETURN_IF_ERROR(QueueJobEventLocked(job.id));
    spdlog::warn("lease expired job={} chunk={} agent={} state={}", job.id, task->chunk_index,
                 agent, JobStateName(job.state));
    changed.push_back(std::move(job));
  }
  RETURN_IF_ERROR(CommitLocked(txn));
  totals_.lease_expiries += static_cast<int64_t>(changed.size());
  return changed;
}

absl::StatusOr<std::vector<AgentRecord>> JobStore::MarkStaleAgents() {
  absl::MutexLock lock(&mu_);
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  const int64_t cutoff = clock_->NowMs() - absl::ToInt64Milliseconds(policy_.lease_duration);
  ASSIGN_OR_RETURN(std::vector<AgentRecord> agents, rows::LoadAgents(*db_));
  std::vector<AgentRecord> stale;
  for (AgentRecord& a : agents) {
    if (a.stale || a.last_heartbeat_ms > cutoff) continue;
    a.stale = true;
    RETURN_IF_ERROR(rows::SaveAgent(*db_, a));
    QueueAgentEventLocked(a);
    spdlog::warn("agent stale agent={} last_heartbeat_ms={}", a.name, a.last_heartbeat_ms);
    stale.push_back(a);
  }
  RETURN_IF_ERROR(CommitLocked(txn));
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
  if (extended > 0) spdlog::info("leases extended after restart count={}", extended);
  return extended;
}

}  // namespace mkvfleet::server
