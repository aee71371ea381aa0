// Row <-> domain conversion of a chunked job's chunks: each chunk is a row of `tasks` with
// chunk_index >= 0 that carries the chunk's own lease, state, attempts, progress and checkpoint.
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "server/store/job_store_rows.h"

namespace mkvfleet::server::rows {
namespace {

absl::Status DeleteChunkRows(SqliteDb& db, int64_t job_id) {
  ASSIGN_OR_RETURN(SqliteStatement s,
                   db.Prepare("DELETE FROM tasks WHERE job_id = ? AND chunk_index >= 0"));
  return s.BindAll(job_id).Run();
}

absl::Status InsertChunk(SqliteDb& db, int64_t job_id, Chunk& c) {
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db.Prepare("INSERT INTO tasks(job_id, chunk_index, first_frame, frames, chunk_state) "
                 "VALUES (?,?,?,?,?)"));
  RETURN_IF_ERROR(
      s.BindAll(job_id, c.index, c.first_frame, c.frames, ChunkStateName(c.state)).Run());
  c.task.id = db.LastInsertRowId();
  return absl::OkStatus();
}

absl::Status UpdateChunk(SqliteDb& db, const Chunk& c) {
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db.Prepare("UPDATE tasks SET chunk_state=?, attempts=?, agent=?, progress=?, checkpoint=?, "
                 "error=?, started_ms=?, finished_ms=?, not_before_ms=?, lease_id=?, "
                 "lease_agent=?, lease_deadline_ms=? WHERE id=?"));
  return s
      .BindAll(ChunkStateName(c.state), c.attempts, c.agent, ToJson(c.progress),
               ToJson(c.checkpoint), c.error, c.started_ms, c.finished_ms, c.not_before_ms,
               c.task.lease.id, c.task.lease.agent, c.task.lease.deadline_ms, c.task.id)
      .Run();
}

}  // namespace

absl::StatusOr<std::vector<Chunk>> LoadChunks(SqliteDb& db, int64_t job_id) {
  ASSIGN_OR_RETURN(
      SqliteStatement s,
      db.Prepare("SELECT id, chunk_index, first_frame, frames, chunk_state, attempts, agent, "
                 "progress, checkpoint, error, started_ms, finished_ms, not_before_ms, lease_id, "
                 "lease_agent, lease_deadline_ms FROM tasks "
                 "WHERE job_id = ? AND chunk_index >= 0 ORDER BY chunk_index"));
  s.BindAll(job_id);
  std::vector<Chunk> chunks;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Chunk c;
    c.task.id = s.Int(0);
    c.index = static_cast<int>(s.Int(1));
    c.first_frame = s.Int(2);
    c.frames = s.Int(3);
    ParseChunkState(s.Text(4), &c.state);
    c.attempts = static_cast<int>(s.Int(5));
    c.agent = s.Text(6);
    c.progress = ProgressFromJson(s.Text(7));
    c.checkpoint = CheckpointFromJson(s.Text(8));
    c.error = s.Text(9);
    c.started_ms = s.Int(10);
    c.finished_ms = s.Int(11);
    c.not_before_ms = s.Int(12);
    c.task.lease = Lease{s.Text(13), s.Text(14), s.Int(15)};
    chunks.push_back(std::move(c));
  }
  return chunks;
}

absl::Status SaveChunks(SqliteDb& db, Job& job) {
  const bool fresh = job.chunks.empty() || job.chunks.front().task.id == 0;
  if (fresh) {
    RETURN_IF_ERROR(DeleteChunkRows(db, job.id));
    for (Chunk& c : job.chunks) RETURN_IF_ERROR(InsertChunk(db, job.id, c));
  }
  for (const Chunk& c : job.chunks) RETURN_IF_ERROR(UpdateChunk(db, c));
  return absl::OkStatus();
}

}  // namespace mkvfleet::server::rows
