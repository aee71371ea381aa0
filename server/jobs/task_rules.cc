// Dispatch of lease operations to the whole-job or the chunk rules; see the header.
#include "server/jobs/task_rules.h"

#include "server/jobs/chunk_rules.h"

namespace mkvfleet::server {

const Lease& TaskLease(const Job& job, int chunk) {
  static const Lease kNone;
  if (chunk < 0) return job.task.lease;
  return chunk < static_cast<int>(job.chunks.size()) ? job.chunks[chunk].task.lease : kNone;
}

absl::Status CheckTaskLease(const Job& job, int chunk, const std::string& lease_id,
                            int64_t now_ms) {
  return chunk < 0 ? CheckLease(job, lease_id, now_ms)
                   : CheckChunkLease(job, chunk, lease_id, now_ms);
}

absl::Status RenewTask(Job& job, int chunk, const std::string& lease_id, int64_t now_ms,
                       const JobPolicy& policy, const Progress* progress) {
  return chunk < 0 ? Renew(job, lease_id, now_ms, policy, progress)
                   : RenewChunk(job, chunk, lease_id, now_ms, policy, progress);
}

absl::StatusOr<Note> ApplyTaskReport(Job& job, int chunk, const StepReport& report,
                                     int64_t now_ms, const JobPolicy& policy, double jitter) {
  if (chunk >= 0) return ApplyChunkReport(job, chunk, report, now_ms, policy, jitter);
  return ApplyStepReport(job, report, job.task.lease.agent, now_ms, policy, jitter);
}

absl::StatusOr<Note> ReleaseTask(Job& job, int chunk, const std::string& lease_id,
                                 const std::string& reason, int64_t now_ms) {
  return chunk < 0 ? Release(job, lease_id, reason, now_ms)
                   : ReleaseChunk(job, chunk, lease_id, reason, now_ms);
}

absl::StatusOr<Note> ExpireTask(Job& job, int chunk, int64_t now_ms, const JobPolicy& policy) {
  return chunk < 0 ? ExpireLease(job, now_ms, policy)
                   : ExpireChunkLease(job, chunk, now_ms, policy);
}

}  // namespace mkvfleet::server
