// One entry point per lease operation for "the task" a lease is on: the whole-job task
// (chunk < 0, job_state_machine.h) or chunk `chunk` of a chunked re-encode (chunk_rules.h). The
// job store resolves a task id to (job, chunk) and calls these, so its operations read the same
// for both kinds of task.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/jobs/job_model.h"
#include "server/jobs/job_state_machine.h"

namespace mkvfleet::server {

// The agent holding the task's lease ("" when none) and its deadline.
const Lease& TaskLease(const Job& job, int chunk);

absl::Status CheckTaskLease(const Job& job, int chunk, const std::string& lease_id,
                            int64_t now_ms);
absl::Status RenewTask(Job& job, int chunk, const std::string& lease_id, int64_t now_ms,
                       const JobPolicy& policy, const Progress* progress);
absl::StatusOr<Note> ApplyTaskReport(Job& job, int chunk, const StepReport& report,
                                     int64_t now_ms, const JobPolicy& policy, double jitter);
absl::StatusOr<Note> ReleaseTask(Job& job, int chunk, const std::string& lease_id,
                                 const std::string& reason, int64_t now_ms);
// FailedPrecondition when the task's lease has not expired (nothing to end).
absl::StatusOr<Note> ExpireTask(Job& job, int chunk, int64_t now_ms, const JobPolicy& policy);

}  // namespace mkvfleet::server
