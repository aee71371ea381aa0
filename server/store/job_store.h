// JobStore: the durable job table in SQLite. Every change is one named operation in one
// BEGIN IMMEDIATE transaction (Enqueue, Claim, Heartbeat, ReportStep, Release, AppendLog,
// ExpireLeases, MarkStaleAgents, GraceLeasesAfterRestart, Reset, Cancel, Register, Drain): it loads
// the affected rows, applies the pure rules of jobs/job_state_machine.h and writes the result, or
// changes nothing. A coordinator killed at any point restarts with every committed operation and
// none of the rest, so a claim is never handed out twice.
//
// Errors: NotFound (unknown job, task or agent), FailedPrecondition (the rules refuse: stale lease,
// terminal job, drained agent), InvalidArgument (malformed report), DataLoss/FailedPrecondition/
// Internal from SQLite, each naming the database file.
// Thread-safe: one connection guarded by a mutex; committed changes go to the EventSink in order.
//
// Speed at fleet scale: statements are cached (sqlite_db.h); an operation answers only once its
// commit is durable, but concurrent operations share one fsync (group_sync.h); heartbeats write
// nothing: lease renewals, progress and agent liveness live in memory (live_state.h, which says
// why that is safe) and reach the table with the next durable change of the job or agent.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/clock.h"
#include "server/jobs/job_model.h"
#include "server/jobs/job_state_machine.h"
#include "server/jobs/resume_rule.h"
#include "server/library/library_paths.h"
#include "server/store/group_sync.h"
#include "server/store/live_state.h"
#include "server/store/sqlite_db.h"
#include "server/store/store_events.h"

namespace mkvfleet::server {

// One file to enqueue, already checked by the path rules.
struct EnqueueItem {
  LibraryFile file;
  std::string output_path;
  std::string plan_override;
  int chunks_requested = 0;  // 0 = auto, 1 = never, N >= 2 = exactly N chunks
  bool repair_rpus = false;  // Job::repair_rpus
};

enum class EnqueueOutcome { kCreated, kDuplicate, kRequeued, kRefused, kWouldCreate };

struct EnqueueRecord {
  std::string path;
  EnqueueOutcome outcome = EnqueueOutcome::kRefused;
  int64_t job_id = 0;  // created, requeued, or the duplicate's job
  std::string reason;  // refused: why; duplicate: a hint
};

// A task leased by Claim.
struct ClaimedTask {
  Job job;  // with steps, checkpoints and chunks; state running
  ResumePoint resume;    // whole-job tasks
  int chunk_index = -1;  // >= 0: a chunk task (job.chunks[chunk_index] holds the lease)
  // Whole-job tasks: the agents that could take chunks now (live, not drained, with a shared
  // work dir) and the [chunking] policy, for the agent's chunking decision.
  int chunk_agents = 0;
  ChunkingPolicy chunking;
};

struct LeaseRenewal {
  std::string lease_id;
  int64_t task_id = 0;
  Progress progress;
};

struct HeartbeatResult {
  std::map<std::string, int64_t> renewed_deadlines_ms;
  std::vector<std::string> revoked_lease_ids;
  bool drained = false;
};

// Running totals since this store was opened (Prometheus counters restart with the process):
// leases ended by ExpireLeases, failures that scheduled a retry (job -> failed), and the storage
// bytes agents reported per step. Plain values, read with JobStore::Totals().
struct StoreTotals {
  int64_t lease_expiries = 0;
  int64_t retries = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
};

// The most jobs one ListJobs page holds (and its size when the filter asks for none).
inline constexpr int kMaxJobsPerPage = 1000;

// Which jobs ListJobs returns, and which page of them.
struct JobFilter {
  std::vector<JobState> states;  // empty = all
  std::string path_contains;
  int limit = 0;              // page size; 0 or more than kMaxJobsPerPage = kMaxJobsPerPage
  int64_t after_id = 0;       // cursor: only jobs past this id in list order (0 = from the start)
  bool newest_first = false;  // list order: false = id ascending, true = id descending
};

// One page of ListJobs: the jobs in list order, the cursor for the next page and the count of
// every job matching the filter (ignoring the cursor).
struct JobPage {
  std::vector<Job> jobs;      // without steps and chunks
  int64_t next_after_id = 0;  // JobFilter::after_id for the next page; 0 on the last page
  int64_t total = 0;
};

class JobStore {
 public:
  // Opens or creates the database at `db_path` and migrates it (see job_store_schema.h).
  // `clock` must outlive the store; `sink` may be empty.
  static absl::StatusOr<std::unique_ptr<JobStore>> Open(const std::string& db_path,
                                                        const JobPolicy& policy, const Clock* clock,
                                                        EventSink sink);
  ~JobStore() = default;

  const JobPolicy& policy() const { return policy_; }
  int schema_version() const { return schema_version_; }

  // --- Admin operations ---------------------------------------------------------------------
  // Dedups each item by (path, size, mtime) and creates jobs for new or changed files, all in one
  // transaction. With dry_run nothing is written and creations report kWouldCreate.
  absl::StatusOr<std::vector<EnqueueRecord>> Enqueue(const std::vector<EnqueueItem>& items,
                                                     bool dry_run);
  // Admin override: see state machine Reset. Revokes a held lease.
  absl::StatusOr<Job> Reset(int64_t job_id, int from_step);
  absl::StatusOr<Job> Cancel(int64_t job_id);
  // Sets or clears the agent's drained flag. NotFound for an unknown agent.
  absl::StatusOr<AgentRecord> Drain(const std::string& agent, bool drained);

  // --- Agent operations ---------------------------------------------------------------------
  // Creates or updates the agent (keeps its drained flag), marks it alive. Returns the record.
  // AlreadyExists (nothing changes) when another live agent holds the name: both instance ids
  // are set and differ, and the holder heartbeated within the lease duration. An empty
  // `instance_id` neither refuses nor is refused.
  absl::StatusOr<AgentRecord> Register(const std::string& name, const std::string& version,
                                       const AgentCapabilities& capabilities,
                                       const std::string& instance_id = "");
  // Leases the oldest claimable job (pending first, then failed past its backoff) to `agent`, or
  // returns nullopt. NotFound for an unregistered agent; FailedPrecondition when it is drained.
  absl::StatusOr<std::optional<ClaimedTask>> Claim(const std::string& agent);
  // Renews each live lease of `agent`, reporting the others as revoked; marks the agent alive.
  // In memory only (see live_state.h): no transaction, no fsync.
  absl::StatusOr<HeartbeatResult> Heartbeat(const std::string& agent,
                                            const std::vector<LeaseRenewal>& leases,
                                            int64_t free_temp_bytes);
  // Applies a step report under the task's live lease. Returns the job after it.
  absl::StatusOr<Job> ReportStep(int64_t task_id, const StepReport& report);
  // Hands a live lease back (graceful stop). Returns the job after it.
  absl::StatusOr<Job> Release(int64_t task_id, const std::string& lease_id,
                              const std::string& reason);
  // Appends agent log lines to the task's job under its live lease.
  absl::Status AppendLog(int64_t task_id, const std::string& lease_id,
                         const std::vector<LogLine>& lines);

  // --- Housekeeping (the reaper) ------------------------------------------------------------
  // Ends every expired lease (pending, or failed_permanent on the last attempt). Returns the jobs.
  absl::StatusOr<std::vector<Job>> ExpireLeases();
  // Marks agents without a heartbeat for a lease duration as stale. Returns the newly stale.
  absl::StatusOr<std::vector<AgentRecord>> MarkStaleAgents();
  // After a restart: gives every held lease at least a full lease duration from now, so agents
  // have time to reconnect before the reaper expires their work. Returns the number extended.
  absl::StatusOr<int> GraceLeasesAfterRestart();

  // --- Reads --------------------------------------------------------------------------------
  absl::StatusOr<Job> GetJob(int64_t id);                              // with steps
  // One page of the jobs matching `filter`; pass next_after_id back as after_id (with the same
  // filter) for the next page. Each job appears on exactly one page when pages are read in turn;
  // a job created meanwhile appears only if its id is still ahead of the cursor.
  absl::StatusOr<JobPage> ListJobs(const JobFilter& filter);
  // The log, oldest first; the last `tail` lines when tail > 0. NotFound for an unknown job.
  absl::StatusOr<std::vector<LogLine>> GetJobLog(int64_t id, int tail);
  absl::StatusOr<std::vector<AgentRecord>> ListAgents();
  // Counts of jobs per state name (for status lines and metrics).
  absl::StatusOr<std::map<std::string, int64_t>> CountJobsByState();
  // See StoreTotals; only committed operations count.
  StoreTotals Totals();
  // fsyncs of the job table so far (each covers every commit before it; see group_sync.h).
  uint64_t durable_syncs() const { return group_sync_.syncs(); }
  // Called with the SQL of every statement the store prepares (tests: query plans); empty = none.
  void set_statement_observer(std::function<void(const std::string&)> observer);

 private:
  JobStore(std::unique_ptr<SqliteDb> db, const JobPolicy& policy, const Clock* clock,
           EventSink sink, int version);

  // Writes a coordinator line to the job log (and queues its event). REQUIRES: open transaction.
  absl::Status LogLocked(int64_t job_id, const std::string& level, const std::string& text)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Loads job `job_id` with steps and queues a kJobChanged event with it.
  absl::Status QueueJobEventLocked(int64_t job_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void QueueAgentEventLocked(const AgentRecord& agent) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends queued events (after a commit) or drops them (after a rollback).
  void FlushEventsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forgets queued events, live-state changes and totals (a transaction starts or rolled back).
  void DropEventsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Commits `txn`; on success applies the queued live-state changes and totals, flushes events
  // and returns the commit's GroupSync ticket; on failure drops them. Not yet durable then.
  absl::StatusOr<uint64_t> CommitNoWaitLocked(SqliteTransaction& txn)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // CommitNoWaitLocked, then waits for durability holding the lock (only for the restart grace,
  // before any agent is served: everything else releases the lock first).
  absl::Status CommitLocked(SqliteTransaction& txn) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // CommitNoWaitLocked, then releases `lock` and waits for durability (the hot operations: other
  // callers commit meanwhile and share the fsync). Nothing guarded may be touched afterwards.
  absl::Status CommitAndUnlock(SqliteTransaction& txn, absl::ReleasableMutexLock& lock)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The job as read from the table with the live renewals applied (live_state.h).
  absl::StatusOr<Job> LoadJobLocked(int64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the job and queues its leases for the live state (applied on commit).
  absl::Status SaveJobLocked(Job& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the agent and queues it for the live state (applied on commit).
  absl::Status SaveAgentLocked(const AgentRecord& agent) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Fills the live state from the table (Open).
  absl::Status LoadLiveStateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NewLeaseIdLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The job owning task `task_id` (with steps). NotFound for an unknown task.
  // The job owning task `task_id` (with steps and chunks) and the task's chunk (-1 for the
  // whole-job task). NotFound for an unknown task or one the job no longer runs.
  struct TaskJob {
    Job job;
    int chunk_index = -1;
  };
  absl::StatusOr<TaskJob> LoadTaskJobLocked(int64_t task_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Leases the best claimable chunk to `agent` (the next chunk of the job it last finished a
  // chunk of first), or nullopt when none (job_store_chunk_ops.cc).
  absl::StatusOr<std::optional<ClaimedTask>> ClaimChunkLocked(const AgentRecord& agent,
                                                              int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The chunk ClaimChunkLocked hands out: job 0 = none.
  struct ChunkPick {
    int64_t job_id = 0;
    int index = -1;
  };
  absl::StatusOr<ChunkPick> PickChunkLocked(const std::string& agent, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Agents that can take chunks now: live, not drained, with a shared work dir.
  absl::StatusOr<int> CountChunkAgentsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The opening shared by the agent operations and the admin Reset/Cancel: queued events dropped,
  // BEGIN IMMEDIATE, then the task's job or the job loaded (NotFound for an unknown task or job).
  // Nothing is written; the transaction rolls back unless committed.
  struct JobTxn {
    SqliteTransaction txn;
    Job job;
    int chunk_index = -1;  // BeginTaskTxnLocked: the task's chunk, -1 for the whole-job task
  };
  // The whole-job task to claim: the oldest pending job, else the oldest failed one past its
  // backoff; chunked jobs only for agents with a shared work dir. 0 = none.
  absl::StatusOr<int64_t> PickClaimableJobLocked(int64_t now_ms, bool shared_dir)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The registered agent (live state) marked alive now; NotFound when not registered. Queues an
  // agent event when it was stale.
  absl::StatusOr<AgentRecord*> TouchAgentLocked(const std::string& name, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<JobTxn> BeginTaskTxnLocked(int64_t task_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<JobTxn> BeginJobTxnLocked(int64_t job_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const JobPolicy policy_;
  const Clock* const clock_;
  const EventSink sink_;
  const int schema_version_;

  absl::Mutex mu_;
  std::unique_ptr<SqliteDb> db_ ABSL_GUARDED_BY(mu_);
  absl::BitGen rng_ ABSL_GUARDED_BY(mu_);
  std::vector<StoreEvent> pending_events_ ABSL_GUARDED_BY(mu_);
  StoreTotals totals_ ABSL_GUARDED_BY(mu_);
  LiveState live_ ABSL_GUARDED_BY(mu_);
  std::vector<JobLeases> pending_leases_ ABSL_GUARDED_BY(mu_);    // applied on commit
  std::vector<AgentRecord> pending_agents_ ABSL_GUARDED_BY(mu_);  // applied on commit
  StoreTotals pending_totals_ ABSL_GUARDED_BY(mu_);               // added on commit
  GroupSync group_sync_;
};

// Spelling for logs and tests: "created", "duplicate", "requeued", "refused", "would_create".
const char* EnqueueOutcomeName(EnqueueOutcome outcome);

}  // namespace mkvfleet::server
