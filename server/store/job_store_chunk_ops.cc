// JobStore's chunk claims: which chunk an agent with a shared work dir gets, and how many agents
// could take chunks (what a whole-job task's auto chunking decides with).
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "server/jobs/chunk_rules.h"
#include "server/store/job_store.h"
#include "server/store/job_store_rows.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::server {

absl::StatusOr<JobStore::ChunkPick> JobStore::PickChunkLocked(const std::string& agent,
                                                              int64_t now_ms) {
  // Each query walks an index in (job, chunk) order and stops at the first claimable chunk of a
  // running chunked job: no sort of the claimable chunks, however many jobs are chunked.
  constexpr char kClaimable[] =
      " AND (t.chunk_state = 'pending' OR (t.chunk_state = 'failed' AND t.not_before_ms <= ?))";
  // The job this agent last finished a chunk of goes first: its source is warm in that agent's
  // cache and the title finishes sooner.
  ASSIGN_OR_RETURN(SqliteStatement last,
                   db_->Prepare("SELECT job_id FROM tasks WHERE chunk_index >= 0 AND agent = ? "
                                "AND chunk_state = 'done' ORDER BY finished_ms DESC LIMIT 1"));
  ASSIGN_OR_RETURN(const bool has_last, last.BindAll(agent).Step());
  if (has_last) {
    const int64_t preferred = last.Int(0);
    ASSIGN_OR_RETURN(
        SqliteStatement mine,
        db_->Prepare(absl::StrCat(
            "SELECT t.chunk_index FROM tasks t INDEXED BY tasks_by_job_chunk JOIN jobs j ON "
            "j.id = t.job_id WHERE t.job_id = ? AND t.chunk_index >= 0 AND j.state = 'running' "
            "AND j.chunk_manifest != ''",
            kClaimable, " ORDER BY t.chunk_index LIMIT 1")));
    ASSIGN_OR_RETURN(const bool row, mine.BindAll(preferred, now_ms).Step());
    if (row) return ChunkPick{preferred, static_cast<int>(mine.Int(0))};
  }
  for (const bool failed : {false, true}) {
    ASSIGN_OR_RETURN(
        SqliteStatement any,
        db_->Prepare(absl::StrCat(
            "SELECT t.job_id, t.chunk_index FROM tasks t INDEXED BY tasks_chunks_by_state JOIN "
            "jobs j ON j.id = t.job_id WHERE t.chunk_index >= 0 AND ",
            failed ? "t.chunk_state = 'failed' AND t.not_before_ms <= ?"
                   : "t.chunk_state = 'pending'",
            " AND j.state = 'running' AND j.chunk_manifest != '' "
            "ORDER BY t.job_id, t.chunk_index LIMIT 1")));
    if (failed) any.BindAll(now_ms);
    ASSIGN_OR_RETURN(const bool row, any.Step());
    if (row) return ChunkPick{any.Int(0), static_cast<int>(any.Int(1))};
  }
  return ChunkPick{};
}

absl::StatusOr<std::optional<ClaimedTask>> JobStore::ClaimChunkLocked(const AgentRecord& agent,
                                                                      int64_t now_ms) {
  // The job this agent last finished a chunk of goes first: its source is warm in that
  // agent's cache and the title finishes sooner.
  ASSIGN_OR_RETURN(const ChunkPick picked, PickChunkLocked(agent.name, now_ms));
  if (picked.job_id == 0) return std::optional<ClaimedTask>();
  const int64_t job_id = picked.job_id;
  const int index = picked.index;
  ASSIGN_OR_RETURN(Job job, LoadJobLocked(job_id));
  const std::string lease_id = NewLeaseIdLocked();
  auto note = ClaimChunk(job, index, agent.name, lease_id, now_ms, policy_);
  if (!note.ok()) {
    // The job holds a whole-job lease (it is assembling or preparing): nothing to hand out.
    spdlog::warn("chunk not claimable job={} chunk={} reason=\"{}\"", job_id, index,
                 std::string(note.status().message()));
    return std::optional<ClaimedTask>();
  }
  RETURN_IF_ERROR(SaveJobLocked(job));
  RETURN_IF_ERROR(LogLocked(job.id, "info", *note));
  RETURN_IF_ERROR(QueueJobEventLocked(job.id));
  spdlog::info("chunk claimed job={} chunk={} task={} agent={} attempt={}", job.id, index,
               job.chunks[index].task.id, agent.name, job.chunks[index].attempts);
  ClaimedTask claimed;
  claimed.chunk_index = index;
  claimed.resume.reason = absl::StrCat("chunk ", index, " of ", job.chunks.size());
  claimed.job = std::move(job);
  return std::optional<ClaimedTask>(std::move(claimed));
}

absl::StatusOr<int> JobStore::CountChunkAgentsLocked() {
  int count = 0;
  for (const auto& [name, a] : live_.agents()) {
    if (!a.stale && !a.drained && !a.capabilities.shared_work_dir.empty()) ++count;
  }
  return count;
}

}  // namespace mkvfleet::server
