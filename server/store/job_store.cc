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
  std::unique_ptr<JobStore> store(
      new JobStore(std::move(db), policy, clock, std::move(sink), version));
  absl::MutexLock lock(&store->mu_);
  RETURN_IF_ERROR(store->LoadLiveStateLocked());
  return store;
}

JobStore::JobStore(std::unique_ptr<SqliteDb> db, const JobPolicy& policy, const Clock* clock,
                   EventSink sink, int version)
    : policy_(policy),
      clock_(clock),
      sink_(std::move(sink)),
      schema_version_(version),
      db_(std::move(db)),
      group_sync_([path = db_->path()] { return SyncWalFile(path); }) {}

absl::Status JobStore::LoadLiveStateLocked() {
  ASSIGN_OR_RETURN(std::vector<AgentRecord> agents, rows::LoadAgents(*db_));
  for (AgentRecord& a : agents) live_.agents()[a.name] = std::move(a);
  ASSIGN_OR_RETURN(SqliteStatement s,
                   db_->Prepare("SELECT DISTINCT job_id FROM tasks WHERE lease_id != ''"));
  std::vector<int64_t> job_ids;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) break;
    job_ids.push_back(s.Int(0));
  }
  for (int64_t id : job_ids) {
    ASSIGN_OR_RETURN(const Job job, rows::LoadJob(*db_, id));
    live_.Replace(LeasesOf(job));
  }
  return absl::OkStatus();
}

void JobStore::set_statement_observer(std::function<void(const std::string&)> observer) {
  absl::MutexLock lock(&mu_);
  db_->set_statement_observer(std::move(observer));
}

absl::StatusOr<Job> JobStore::LoadJobLocked(int64_t id) {
  ASSIGN_OR_RETURN(Job job, rows::LoadJob(*db_, id));
  live_.Overlay(job);
  return job;
}

absl::Status JobStore::SaveJobLocked(Job& job) {
  RETURN_IF_ERROR(rows::SaveJob(*db_, job));
  pending_leases_.push_back(LeasesOf(job));
  return absl::OkStatus();
}

absl::Status JobStore::SaveAgentLocked(const AgentRecord& agent) {
  RETURN_IF_ERROR(rows::SaveAgent(*db_, agent));
  pending_agents_.push_back(agent);
  return absl::OkStatus();
}

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
  ASSIGN_OR_RETURN(Job job, LoadJobLocked(job_id));
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

void JobStore::DropEventsLocked() {
  pending_events_.clear();
  pending_leases_.clear();
  pending_agents_.clear();
  pending_totals_ = StoreTotals{};
}

absl::StatusOr<uint64_t> JobStore::CommitNoWaitLocked(SqliteTransaction& txn) {
  if (absl::Status st = txn.Commit(); !st.ok()) {
    DropEventsLocked();
    return st;
  }
  for (const JobLeases& leases : pending_leases_) live_.Replace(leases);
  for (AgentRecord& a : pending_agents_) live_.agents()[a.name] = std::move(a);
  totals_.lease_expiries += pending_totals_.lease_expiries;
  totals_.retries += pending_totals_.retries;
  totals_.bytes_read += pending_totals_.bytes_read;
  totals_.bytes_written += pending_totals_.bytes_written;
  pending_leases_.clear();
  pending_agents_.clear();
  pending_totals_ = StoreTotals{};
  FlushEventsLocked();
  return group_sync_.Committed();
}

absl::Status JobStore::CommitLocked(SqliteTransaction& txn) {
  ASSIGN_OR_RETURN(const uint64_t ticket, CommitNoWaitLocked(txn));
  return group_sync_.WaitDurable(ticket);
}

absl::Status JobStore::CommitAndUnlock(SqliteTransaction& txn, absl::ReleasableMutexLock& lock) {
  absl::StatusOr<uint64_t> ticket = CommitNoWaitLocked(txn);
  lock.Release();
  if (!ticket.ok()) return ticket.status();
  return group_sync_.WaitDurable(*ticket);
}

absl::StatusOr<JobStore::JobTxn> JobStore::BeginJobTxnLocked(int64_t job_id) {
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  ASSIGN_OR_RETURN(Job job, LoadJobLocked(job_id));
  return JobTxn{std::move(txn), std::move(job)};
}

std::string JobStore::NewLeaseIdLocked() {
  return absl::StrCat(absl::Hex(absl::Uniform<uint64_t>(rng_), absl::kZeroPad16),
                      absl::Hex(absl::Uniform<uint64_t>(rng_), absl::kZeroPad16));
}

absl::StatusOr<std::vector<EnqueueRecord>> JobStore::Enqueue(const std::vector<EnqueueItem>& items,
                                                             bool dry_run) {
  absl::ReleasableMutexLock lock(&mu_);
  DropEventsLocked();
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  const int64_t now = clock_->NowMs();
  std::vector<EnqueueRecord> out;
  out.reserve(items.size());
  std::map<EnqueueOutcome, int64_t> counts;  // for the summary log line
  for (const EnqueueItem& item : items) {
    ASSIGN_OR_RETURN(const std::optional<Job> prev, rows::LatestJobForPath(*db_, item.file.path));
    EnqueueRecord rec;
    rec.path = item.file.path;
    const DedupDecision d = DecideEnqueue(prev, item.file.size_bytes, item.file.mtime_ms);
    if (d == DedupDecision::kDuplicate) {
      rec.outcome = EnqueueOutcome::kDuplicate;
      rec.job_id = prev->id;
      rec.reason = absl::StrCat("already job ", prev->id, " (", JobStateName(prev->state),
                                ") with the same size and mtime; use reset to redo it");
      ++counts[rec.outcome];
      out.push_back(std::move(rec));
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
      ++counts[rec.outcome];
      out.push_back(std::move(rec));
      continue;
    }
    if (dry_run) {
      rec.outcome = EnqueueOutcome::kWouldCreate;
      if (prev) rec.reason = absl::StrCat("file changed since job ", prev->id);
      ++counts[rec.outcome];
      out.push_back(std::move(rec));
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
    job.repair_rpus = item.repair_rpus;
    job.size_bytes = item.file.size_bytes;
    job.mtime_ms = item.file.mtime_ms;
    job.created_ms = job.updated_ms = now;
    if (sink_ && pending_events_.empty()) {
      // An event per job created from here on: one allocation instead of a doubling series of
      // copies when a scan creates tens of thousands.
      pending_events_.reserve(static_cast<size_t>(&items.back() - &item + 1));
    }
    RETURN_IF_ERROR(rows::InsertJob(*db_, job));
    rec.job_id = job.id;
    rec.outcome = prev ? EnqueueOutcome::kRequeued : EnqueueOutcome::kCreated;
    std::string note =
        absl::StrCat("enqueued ", job.path, " size=", job.size_bytes, " output=", job.output_path);
    if (prev) {
      absl::StrAppend(&note, " (file changed since job ", prev->id, ")");
      // An older job for the old content that has not started is superseded.
      if (prev->state == JobState::kPending || prev->state == JobState::kFailed) {
        ASSIGN_OR_RETURN(Job old, LoadJobLocked(prev->id));
        if (server::Cancel(old, now).ok()) {
          old.error = absl::StrCat("superseded by job ", job.id, ": the file changed");
          RETURN_IF_ERROR(SaveJobLocked(old));
          RETURN_IF_ERROR(LogLocked(old.id, "info", old.error));
          RETURN_IF_ERROR(QueueJobEventLocked(old.id));
        }
      }
    }
    // The note goes to the job's log; its live log event is left out (the job's own event below
    // says the same), which halves what a scan of a large library holds until its commit.
    RETURN_IF_ERROR(rows::InsertLog(*db_, job.id, LogLine{now, "coordinator", "info", note}));
    if (sink_) {  // the new job as LoadJob would read it back, without reading it back
      StoreEvent ev;
      ev.kind = StoreEvent::Kind::kJobChanged;
      ev.time_ms = now;
      ev.job = std::move(job);
      pending_events_.push_back(std::move(ev));
    }
    // One line per job only at debug: a library scan enqueues tens of thousands at once (the
    // job log keeps the note above; the summary line below counts them).
    spdlog::debug("job enqueued job={} path={} outcome={}", rec.job_id, rec.path,
                  EnqueueOutcomeName(rec.outcome));
    ++counts[rec.outcome];
    out.push_back(std::move(rec));
  }
  if (!dry_run) RETURN_IF_ERROR(CommitAndUnlock(txn, lock));  // a dry run rolls back
  spdlog::info("enqueue items={} created={} requeued={} duplicate={} deferred={} dry_run={}",
               items.size(), counts[EnqueueOutcome::kCreated], counts[EnqueueOutcome::kRequeued],
               counts[EnqueueOutcome::kDuplicate], counts[EnqueueOutcome::kRefused], dry_run);
  return out;
}

StoreTotals JobStore::Totals() {
  absl::MutexLock lock(&mu_);
  return totals_;
}

absl::StatusOr<Job> JobStore::Reset(int64_t job_id, int from_step) {
  absl::ReleasableMutexLock lock(&mu_);
  ASSIGN_OR_RETURN(JobTxn t, BeginJobTxnLocked(job_id));
  Job& job = t.job;
  const std::string revoked_agent = job.task.lease.agent;
  ASSIGN_OR_RETURN(const Note note, server::Reset(job, from_step, clock_->NowMs()));
  RETURN_IF_ERROR(SaveJobLocked(job));
  RETURN_IF_ERROR(LogLocked(job_id, "warn", note));
  RETURN_IF_ERROR(QueueJobEventLocked(job_id));
  RETURN_IF_ERROR(CommitAndUnlock(t.txn, lock));
  spdlog::warn("job reset job={} from_step={} revoked_agent={}", job_id, from_step,
               revoked_agent.empty() ? "-" : revoked_agent);
  return job;
}

absl::StatusOr<Job> JobStore::Cancel(int64_t job_id) {
  absl::ReleasableMutexLock lock(&mu_);
  ASSIGN_OR_RETURN(JobTxn t, BeginJobTxnLocked(job_id));
  Job& job = t.job;
  ASSIGN_OR_RETURN(const Note note, server::Cancel(job, clock_->NowMs()));
  RETURN_IF_ERROR(SaveJobLocked(job));
  RETURN_IF_ERROR(LogLocked(job_id, "warn", note));
  RETURN_IF_ERROR(QueueJobEventLocked(job_id));
  RETURN_IF_ERROR(CommitAndUnlock(t.txn, lock));
  spdlog::warn("job cancelled job={}", job_id);
  return job;
}

absl::StatusOr<AgentRecord> JobStore::Drain(const std::string& name, bool drained) {
  absl::ReleasableMutexLock lock(&mu_);
  DropEventsLocked();
  const AgentRecord* known = live_.FindAgent(name);
  if (known == nullptr) {
    return absl::NotFoundError(absl::StrCat("agent ", name, " is not registered"));
  }
  AgentRecord a = live_.Snapshot(*known);
  a.drained = drained;
  ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(*db_));
  RETURN_IF_ERROR(SaveAgentLocked(a));
  QueueAgentEventLocked(a);
  RETURN_IF_ERROR(CommitAndUnlock(txn, lock));
  spdlog::info("agent {} agent={}", drained ? "drained" : "undrained", name);
  return a;
}

absl::StatusOr<Job> JobStore::GetJob(int64_t id) {
  absl::MutexLock lock(&mu_);
  return LoadJobLocked(id);
}

absl::StatusOr<JobPage> JobStore::ListJobs(const JobFilter& filter) {
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
  std::string page_where = where;
  std::vector<std::string> page_args = args;
  if (filter.after_id > 0) {
    if (!page_where.empty()) page_where += " AND ";
    page_where += filter.newest_first ? "j.id < ?" : "j.id > ?";
    page_args.push_back(absl::StrCat(filter.after_id));
  }
  const int size =
      filter.limit > 0 && filter.limit < kMaxJobsPerPage ? filter.limit : kMaxJobsPerPage;
  absl::MutexLock lock(&mu_);
  JobPage page;
  // One row past the page tells whether another page follows.
  ASSIGN_OR_RETURN(page.jobs,
                   rows::LoadJobs(*db_, page_where, page_args, size + 1, filter.newest_first));
  if (static_cast<int>(page.jobs.size()) > size) {
    page.jobs.resize(size);
    page.next_after_id = page.jobs.back().id;
  }
  for (Job& job : page.jobs) live_.Overlay(job);  // renewed leases and progress
  ASSIGN_OR_RETURN(page.total, rows::CountJobs(*db_, where, args));
  return page;
}

absl::StatusOr<std::vector<LogLine>> JobStore::GetJobLog(int64_t id, int tail) {
  absl::MutexLock lock(&mu_);
  {
    ASSIGN_OR_RETURN(SqliteStatement known, db_->Prepare("SELECT 1 FROM jobs WHERE id = ?"));
    ASSIGN_OR_RETURN(const bool row, known.BindAll(id).Step());
    if (!row) return absl::NotFoundError(absl::StrCat("job ", id, " does not exist"));
  }
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
  std::vector<AgentRecord> out;
  out.reserve(live_.agents().size());
  for (const auto& [name, a] : live_.agents()) out.push_back(live_.Snapshot(a));
  return out;
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
