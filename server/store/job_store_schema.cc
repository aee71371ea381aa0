// Versioned migrations of the job table. Append new migrations; never edit a released one.
//
// Durability: WAL with synchronous=NORMAL, and the store fsyncs the WAL itself before it answers
// (group_sync.h): a commit is written to the WAL at once (a coordinator crash loses nothing), and
// one fdatasync covers every commit made while the previous one ran, so a claim acknowledged to
// an agent survives a power cut too, at one fsync per burst instead of one per operation.
#include "server/store/job_store_schema.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::server {
namespace {

const std::vector<const char*>& Migrations() {
  static const std::vector<const char*> kMigrations = {
      // 1: jobs, tasks (the lease lives on the task; a job may own several), steps with their
      //    checkpoint JSON, the per-job log and agents.
      R"sql(
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL,
  library_root TEXT NOT NULL,
  output_path TEXT NOT NULL,
  state TEXT NOT NULL,
  step TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  output TEXT NOT NULL DEFAULT '',
  plan TEXT NOT NULL DEFAULT '',
  plan_override TEXT NOT NULL DEFAULT '',
  agent TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  not_before_ms INTEGER NOT NULL DEFAULT 0,
  progress TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX jobs_by_path ON jobs(path, id);
CREATE INDEX jobs_by_state ON jobs(state, not_before_ms, id);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  first_step INTEGER NOT NULL DEFAULT 0,
  last_step INTEGER NOT NULL DEFAULT -1,
  lease_id TEXT NOT NULL DEFAULT '',
  lease_agent TEXT NOT NULL DEFAULT '',
  lease_deadline_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_by_job ON tasks(job_id);
CREATE UNIQUE INDEX tasks_by_lease ON tasks(lease_id) WHERE lease_id != '';
CREATE INDEX tasks_by_deadline ON tasks(lease_deadline_ms) WHERE lease_id != '';
CREATE TABLE steps (
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  started_ms INTEGER NOT NULL DEFAULT 0,
  finished_ms INTEGER NOT NULL DEFAULT 0,
  progress TEXT NOT NULL DEFAULT '{}',
  checkpoint TEXT NOT NULL DEFAULT '{}',
  agent TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (job_id, idx)
);
CREATE TABLE job_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  time_ms INTEGER NOT NULL,
  source TEXT NOT NULL,
  level TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX job_log_by_job ON job_log(job_id, id);
CREATE TABLE agents (
  name TEXT PRIMARY KEY,
  version TEXT NOT NULL DEFAULT '',
  capabilities TEXT NOT NULL DEFAULT '{}',
  drained INTEGER NOT NULL DEFAULT 0,
  stale INTEGER NOT NULL DEFAULT 0,
  registered_ms INTEGER NOT NULL,
  last_heartbeat_ms INTEGER NOT NULL,
  progress TEXT NOT NULL DEFAULT '{}'
);
)sql",
      // 2: chunked re-encodes. A chunk is a task row with chunk_index >= 0 carrying its own
      //    lease, state, attempts, progress and checkpoint; the job row records what chunking was
      //    asked for at enqueue and the manifest of a chunked job.
      R"sql(
ALTER TABLE jobs ADD COLUMN chunks_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN chunk_manifest TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN chunk_index INTEGER NOT NULL DEFAULT -1;
ALTER TABLE tasks ADD COLUMN first_frame INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN frames INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN chunk_state TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN agent TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN progress TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tasks ADD COLUMN checkpoint TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tasks ADD COLUMN error TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN started_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN finished_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN not_before_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tasks_claimable_chunks ON tasks(chunk_state, not_before_ms, job_id, chunk_index)
  WHERE chunk_index >= 0;
CREATE INDEX tasks_by_chunk_agent ON tasks(agent, finished_ms) WHERE chunk_index >= 0;
)sql",
      // 3: claims walk an index in the order they hand work out and stop at the first match
      //    (jobs_by_state and tasks_claimable_chunks have not_before_ms before the order
      //    columns, so they forced a sort of every candidate); a job's chunks load in order.
      R"sql(
CREATE INDEX jobs_by_state_id ON jobs(state, id);
CREATE INDEX tasks_chunks_by_state ON tasks(chunk_state, job_id, chunk_index)
  WHERE chunk_index >= 0;
CREATE INDEX tasks_by_job_chunk ON tasks(job_id, chunk_index);
)sql",
      // 4: a job may ask for its Dolby Vision RPUs to be repaired (enqueue --repair-rpus).
      R"sql(
ALTER TABLE jobs ADD COLUMN repair_rpus INTEGER NOT NULL DEFAULT 0;
)sql",
  };
  return kMigrations;
}

absl::StatusOr<int> CurrentVersion(SqliteDb& db) {
  RETURN_IF_ERROR(db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare("SELECT version FROM schema_version"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    RETURN_IF_ERROR(db.Exec("INSERT INTO schema_version(version) VALUES (0)"));
    return 0;
  }
  return static_cast<int>(stmt.Int(0));
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

absl::StatusOr<int> MigrateSchema(SqliteDb& db) {
  // journal_mode is the first statement to read the file: a corrupt file fails here.
  RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
  // 32 MiB of page cache (SQLite's default is 2 MiB): a library scan's one transaction creating
  // 100,000 jobs stays in memory until its commit instead of spilling to the file midway.
  RETURN_IF_ERROR(
      db.Exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768"));
  int version = 0;
  {
    ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(db));
    ASSIGN_OR_RETURN(version, CurrentVersion(db));
    RETURN_IF_ERROR(txn.Commit());
  }
  if (version > LatestSchemaVersion()) {
    return absl::FailedPreconditionError(
        absl::StrCat("state database ", db.path(), " has schema version ", version,
                     ", newer than this coordinator understands (", LatestSchemaVersion(),
                     "): run a newer mkv-coordinator"));
  }
  for (int next = version + 1; next <= LatestSchemaVersion(); ++next) {
    ASSIGN_OR_RETURN(SqliteTransaction txn, SqliteTransaction::Begin(db));
    RETURN_IF_ERROR(db.Exec(Migrations()[next - 1]));
    ASSIGN_OR_RETURN(SqliteStatement set, db.Prepare("UPDATE schema_version SET version = ?"));
    RETURN_IF_ERROR(set.BindAll(next).Run());
    RETURN_IF_ERROR(txn.Commit());
  }
  return LatestSchemaVersion();
}

}  // namespace mkvfleet::server
