// Internal to JobStore: reading and writing whole domain values (jobs with their task and steps,
// agents, log lines) as rows, and the JSON columns (progress, checkpoint, capabilities).
// Callers hold the store mutex and, for writes, an open transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/jobs/job_model.h"
#include "server/store/sqlite_db.h"

namespace mkvfleet::server::rows {

std::string ToJson(const Progress& p);
std::string ToJson(const Checkpoint& c);
std::string ToJson(const AgentCapabilities& c);
// Tolerant decoders: a malformed column yields defaults rather than failing the whole read.
Progress ProgressFromJson(const std::string& json);
Checkpoint CheckpointFromJson(const std::string& json);
AgentCapabilities CapabilitiesFromJson(const std::string& json);

// The job with its (first) task and steps. NotFound naming the id when there is no such job.
absl::StatusOr<Job> LoadJob(SqliteDb& db, int64_t id);
// Jobs matching `where` (an SQL condition on table jobs aliased j, with ? bound to `args`),
// ordered by id (descending when newest_first), at most `limit` (0 = all), without steps.
absl::StatusOr<std::vector<Job>> LoadJobs(SqliteDb& db, const std::string& where,
                                          const std::vector<std::string>& args, int limit,
                                          bool newest_first = false);
// The number of jobs matching `where` (as LoadJobs).
absl::StatusOr<int64_t> CountJobs(SqliteDb& db, const std::string& where,
                                  const std::vector<std::string>& args);
// Enqueue's dedup lookup: the newest job for `path` with only id, path, state, size_bytes and
// mtime_ms filled (one probe of the jobs_by_path index), nullopt when there is none.
absl::StatusOr<std::optional<Job>> LatestJobForPath(SqliteDb& db, const std::string& path);
// Inserts a new job (id assigned into job.id) with one task (job.task.id assigned).
absl::Status InsertJob(SqliteDb& db, Job& job);
// Writes the job row, its task's lease, replaces its steps and saves its chunks (SaveChunks).
absl::Status SaveJob(SqliteDb& db, Job& job);

// What a task row belongs to: the job, and the chunk (-1 for the whole-job task).
struct TaskRef {
  int64_t job_id = 0;
  int chunk_index = -1;
};
// NotFound when there is no task `task_id`.
absl::StatusOr<TaskRef> TaskOf(SqliteDb& db, int64_t task_id);

// The job's chunk tasks in index order (job_store_chunk_rows.cc).
absl::StatusOr<std::vector<Chunk>> LoadChunks(SqliteDb& db, int64_t job_id);
// Writes the job's chunks: their task rows are updated in place; when the job has new chunks
// (task id 0, after StartChunks) or none, the old chunk rows are deleted first and the new ones
// inserted, their task ids assigned into job.chunks.
absl::Status SaveChunks(SqliteDb& db, Job& job);

absl::Status InsertLog(SqliteDb& db, int64_t job_id, const LogLine& line);

// Every agent as last written (current_job_id unset: the store's live state knows the leases).
absl::StatusOr<std::vector<AgentRecord>> LoadAgents(SqliteDb& db);
absl::Status SaveAgent(SqliteDb& db, const AgentRecord& agent);

}  // namespace mkvfleet::server::rows
