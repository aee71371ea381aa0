// JobStore: opening, event plumbing, reads and the admin operations. Agent-facing operations are
// in job_store_agent_ops.cc.
#include "server/store/job_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "server/constants.h"
#include "server/library/dedup.h"
#include "server/store/job_store_rows.h"
#include "server/store/job_store_schema.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::server {

const char* EnqueueOutcomeName(EnqueueOutcome outcome) {
  switch (outcome) {
    case EnqueueOutcome::kCreated:
      return "created";
    case EnqueueOutcome::kDuplicate:
      return "duplicate";
    case EnqueueOutcome::kRequeued:
      return "requeued";
    case EnqueueOutcome::kRefused:
      return "refused";
    case EnqueueOutcome::kWouldCreate:
      return "would_create";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<JobStore>> JobStore::Open(const std::string& db_path,
                                                         const JobPolicy& policy,
                                                         const Clock* clock, EventSink sink) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(db_path, kSqliteBusyTimeout));
  ASSIGN_OR_RETURN(const int version, MigrateSchema(*db));
  return std::unique_ptr<JobStore>(
      new JobStore(std::move(db), policy, clock, std::move(sink), version));
}

JobStore::JobStore(std::unique_ptr<SqliteDb> db, const JobPolicy& policy, const Clock* clock,
                   EventSink sink, int version)
    : policy_(policy),
      clock_(clock),
      sink_(std::move(sink)),
      schema_version_(version),
      db_(std::move(db)) {}

absl::Status JobStore::LogLocked(int64_t job_id, const std::string& level,
                                 const std::string& text) {
  LogLine line{clock_->NowMs(), "coordinator", level, text};
  RETURN_IF_ERROR(rows::InsertLog(*db_, job_id, line));
  StoreEvent ev;
  ev.kind = StoreEvent::Kind::kLog;
  ev.time_ms = line.time_ms;
  ev.job.id = job_id;
  ev.log = line;
  pending_events_.push_back(std::move(ev));
  return absl::OkStatus();
}

absl::Status JobStore::QueueJobEventLocked(int64_t job_id) {
  if (!sink_) return absl::OkStatus();
  ASSIGN_OR_RETURN(Job job, rows::LoadJob(*db_, job_id));
  StoreEvent ev;
  ev.kind = StoreEvent::Kind::kJobChanged;
  ev.time_ms = clock_->NowMs();
  ev.job = std::move(job);
  pending_events_.push_back(std::move(ev));
  return absl::OkStatus();
}

void JobStore::QueueAgentEventLocked(const AgentRecord& agent) {
  StoreEvent ev;
  ev.kind = StoreEvent::Kind::kAgentChanged;
  ev.time_ms = clock_->NowMs();
  ev.agent = agent;
  pending_events_.push_back(std::move(ev));
}

void JobStore::FlushEventsLocked() {
  if (sink_) {
    for (const StoreEvent& ev : pending_events_) sink_(ev);
  }
  pending_events_.clear();
}

absl::Status JobStore::CommitLocked(SqliteTransaction& txn) {
  absl::Status st = txn.Commit();
  if (st.ok()) {
    FlushEventsLocked();
  } else {
    DropEventsLocked();
  }
  return st;
}

absl::StatusOr<JobStore::JobTxn> JobStore::BeginJobTxnLocked(int64_t job_id) {
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(Job job, rows::LoadJob(*db_, job_id));
  return JobTxn{std::move(txn), std::move(job)};
}

std::string JobStore::NewLeaseIdLocked() {
  return absl::StrCat(absl::Hex(absl::Uniform<uint64_t>(rng_), absl::kZeroPad16),
                      absl::Hex(absl::Uniform<uint64_t>(rng_), absl::kZeroPad16));
}

absl::StatusOr<std::vector<EnqueueRecord>> JobStore::Enqueue(const std::vector<EnqueueItem>& items,
                                                             bool dry_run) {
  absl::MutexLock lock(&mu_);
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  const int64_t now = clock_->NowMs();
  std::vector<EnqueueRecord> out;
  for (const EnqueueItem& item : items) {
    ASSIGN_OR_RETURN(std::vector<Job> latest,
                     rows::LoadJobs(*db_, "j.id = (SELECT MAX(id) FROM jobs WHERE path = ?)",
                                    {item.file.path}, 1));
    std::optional<Job> prev;
    if (!latest.empty()) prev = latest.front();
    EnqueueRecord rec;
    rec.path = item.file.path;
    const DedupDecision d = DecideEnqueue(prev, item.file.size_bytes, item.file.mtime_ms);
    if (d == DedupDecision::kDuplicate) {
      rec.outcome = EnqueueOutcome::kDuplicate;
      rec.job_id = prev->id;
      rec.reason = absl::StrCat("already job ", prev->id, " (", JobStateName(prev->state),
                                ") with the same size and mtime; use reset to redo it");
      out.push_back(rec);
      continue;
    }
    if (d == DedupDecision::kWaitForRunning) {
      rec.outcome = EnqueueOutcome::kRefused;
      rec.job_id = prev->id;
      rec.reason = absl::StrCat(
          "file changed while job ", prev->id,
          " still runs on its previous version (same output path): enqueue it again once job ",
          prev->id, " ends (scans and watch retry on their next pass)");
      spdlog::info("enqueue deferred path=\"{}\" running_job={}", rec.path, prev->id);
      out.push_back(rec);
      continue;
    }
    if (dry_run) {
      rec.outcome = EnqueueOutcome::kWouldCreate;
      if (prev) rec.reason = absl::StrCat("file changed since job ", prev->id);
      out.push_back(rec);
      continue;
    }
    Job job;
    job.path = item.file.path;
    job.library_root = item.file.library_root;
    job.output_path = item.output_path;
    job.state = JobState::kPending;
    job.max_attempts = policy_.max_attempts;
    job.plan_override = item.plan_override;
    job.chunks_requested = item.chunks_requested;
    job.size_bytes = item.file.size_bytes;
    job.mtime_ms = item.file.mtime_ms;
    job.created_ms = job.updated_ms = now;
    RETURN_IF_ERROR(rows::InsertJob(*db_, job));
    rec.job_id = job.id;
    rec.outcome = prev ? EnqueueOutcome::kRequeued : EnqueueOutcome::kCreated;
    std::string note =
        absl::StrCat("enqueued ", job.path, " size=", job.size_bytes, " output=", job.output_path);
    if (prev) {
      absl::StrAppend(&note, " (file changed since job ", prev->id, ")");
      // An older job for the old content that has not started is superseded.
      if (prev->state == JobState::kPending || prev->state == JobState::kFailed) {
        ASSIGN_OR_RETURN(Job old, rows::LoadJob(*db_, prev->id));
        if (server::Cancel(old, now).ok()) {
          old.error = absl::StrCat("superseded by job ", job.id, ": the file changed");
          RETURN_IF_ERROR(rows::SaveJob(*db_, old));
          RETURN_IF_ERROR(LogLocked(old.id, "info", old.error));
          RETURN_IF_ERROR(QueueJobEventLocked(old.id));
        }
      }
    }
    RETURN_IF_ERROR(LogLocked(job.id, "info", note));
    RETURN_IF_ERROR(QueueJobEventLocked(job.id));
    spdlog::info("job enqueued job={} path={} outcome={}", job.id, job.path,
                 EnqueueOutcomeName(rec.outcome));
    out.push_back(rec);
  }
  if (dry_run) return out;  // the transaction rolls back: nothing written
  RETURN_IF_ERROR(CommitLocked(txn));
  return out;
}

StoreTotals JobStore::Totals() {
  absl::MutexLock lock(&mu_);
  return totals_;
}

absl::StatusOr<Job> JobStore::Reset(int64_t job_id, int from_step) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(JobTxn t, BeginJobTxnLocked(job_id));
  Job& job = t.job;
  const std::string revoked_agent = job.task.lease.agent;
  ASSIGN_OR_RETURN(const Note note, server::Reset(job, from_step, clock_->NowMs()));
  RETURN_IF_ERROR(rows::SaveJob(*db_, job));
  RETURN_IF_ERROR(LogLocked(job_id, "warn", note));
  RETURN_IF_ERROR(QueueJobEventLocked(job_id));
  RETURN_IF_ERROR(CommitLocked(t.txn));
  spdlog::warn("job reset job={} from_step={} revoked_agent={}", job_id, from_step,
               revoked_agent.empty() ? "-" : revoked_agent);
  return job;
}

absl::StatusOr<Job> JobStore::Cancel(int64_t job_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(JobTxn t, BeginJobTxnLocked(job_id));
  Job& job = t.job;
  ASSIGN_OR_RETURN(const Note note, server::Cancel(job, clock_->NowMs()));
  RETURN_IF_ERROR(rows::SaveJob(*db_, job));
  RETURN_IF_ERROR(LogLocked(job_id, "warn", note));
  RETURN_IF_ERROR(QueueJobEventLocked(job_id));
  RETURN_IF_ERROR(CommitLocked(t.txn));
  spdlog::warn("job cancelled job={}", job_id);
  return job;
}

absl::StatusOr<AgentRecord> JobStore::Drain(const std::string& name, bool drained) {
  absl::MutexLock lock(&mu_);
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(std::optional<AgentRecord> agent, rows::LoadAgent(*db_, name));
  if (!agent.has_value()) {
    return absl::NotFoundError(absl::StrCat("agent ", name, " is not registered"));
  }
  AgentRecord a = std::move(*agent);
  a.drained = drained;
  RETURN_IF_ERROR(rows::SaveAgent(*db_, a));
  QueueAgentEventLocked(a);
  RETURN_IF_ERROR(CommitLocked(txn));
  spdlog::info("agent {} agent={}", drained ? "drained" : "undrained", name);
  return a;
}

absl::StatusOr<Job> JobStore::GetJob(int64_t id) {
  absl::MutexLock lock(&mu_);
  return rows::LoadJob(*db_, id);
}

absl::StatusOr<std::vector<Job>> JobStore::ListJobs(const JobFilter& filter) {
  std::string where;
  std::vector<std::string> args;
  if (!filter.states.empty()) {
    where = "j.state IN (";
    for (size_t i = 0; i < filter.states.size(); ++i) {
      absl::StrAppend(&where, i ? ",?" : "?");
      args.push_back(JobStateName(filter.states[i]));
    }
    where += ")";
  }
  if (!filter.path_contains.empty()) {
    if (!where.empty()) where += " AND ";
    where += "instr(j.path, ?) > 0";
    args.push_back(filter.path_contains);
  }
  absl::MutexLock lock(&mu_);
  return rows::LoadJobs(*db_, where, args, filter.limit);
}

absl::StatusOr<std::vector<LogLine>> JobStore::GetJobLog(int64_t id, int tail) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(rows::LoadJob(*db_, id));  // NotFound for an unknown job
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_->Prepare(
          "SELECT time_ms, source, level, text FROM (SELECT * FROM job_log WHERE job_id = ? "
          "ORDER BY id DESC LIMIT ?) ORDER BY id"));
  s.BindAll(id, tail > 0 ? static_cast<int64_t>(tail) : int64_t{-1});
  std::vector<LogLine> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3)});
  }
  return out;
}

absl::StatusOr<std::vector<AgentRecord>> JobStore::ListAgents() {
  absl::MutexLock lock(&mu_);
  return rows::LoadAgents(*db_);
}

absl::StatusOr<std::map<std::string, int64_t>> JobStore::CountJobsByState() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(SqliteStatement s,
                   db_->Prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state"));
  std::map<std::string, int64_t> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out[s.Text(0)] = s.Int(1);
  }
  return out;
}

}  // namespace mkvfleet::server
