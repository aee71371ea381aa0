// The pure job life cycle; see the header for the transitions.
#include "server/jobs/job_state_machine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "server/jobs/chunk_rules.h"
#include "server/jobs/retry_backoff.h"

namespace mkvfleet::server {
namespace {

int64_t Ms(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

void ClearLease(Job& job) { job.task.lease = Lease{}; }

// The record for step `index`, created (in index order) when missing.
StepRecord& StepAt(Job& job, int index, const std::string& name) {
  auto it = std::lower_bound(job.steps.begin(), job.steps.end(), index,
                             [](const StepRecord& s, int i) { return s.index < i; });
  if (it == job.steps.end() || it->index != index) {
    StepRecord fresh;
    fresh.index = index;
    it = job.steps.insert(it, fresh);
  }
  if (!name.empty()) it->name = name;
  return *it;
}

absl::Status NotRunning(const Job& job, const char* what) {
  return absl::FailedPreconditionError(
      absl::StrCat("job ", job.id, " is ", JobStateName(job.state), ": cannot ", what));
}

std::string StepLabel(const StepReport& r) {
  return absl::StrCat("step ", r.step_index, " (", r.step_name, ")");
}

}  // namespace

bool IsClaimable(const Job& job, int64_t now_ms) {
  return job.state == JobState::kPending ||
         (job.state == JobState::kFailed && job.not_before_ms <= now_ms);
}

absl::StatusOr<Note> Claim(Job& job, const std::string& agent, const std::string& lease_id,
                           int64_t now_ms, const JobPolicy& policy) {
  if (!IsClaimable(job, now_ms)) {
    if (job.state == JobState::kFailed) {
      return absl::FailedPreconditionError(
          absl::StrCat("job ", job.id, " is backing off until ", job.not_before_ms, " ms"));
    }
    return NotRunning(job, "be claimed");
  }
  job.state = JobState::kRunning;
  job.attempts += 1;
  job.agent = agent;
  job.not_before_ms = 0;
  job.progress = Progress{};
  job.task.lease = Lease{lease_id, agent, now_ms + Ms(policy.lease_duration)};
  job.updated_ms = now_ms;
  return absl::StrCat("claimed by agent ", agent, " (attempt ", job.attempts, " of ",
                      job.max_attempts, ")");
}

void PrepareResume(Job& job, int from_step) {
  for (StepRecord& s : job.steps) {
    if (s.index < from_step) continue;
    s.state = StepState::kPending;
    s.checkpoint = Checkpoint{};
    s.progress = Progress{};
  }
}

absl::Status CheckLease(const Job& job, const std::string& lease_id, int64_t now_ms) {
  if (job.state != JobState::kRunning || job.task.lease.id.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "stale lease: job ", job.id, " is ", JobStateName(job.state), " and holds no lease"));
  }
  if (job.task.lease.id != lease_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "stale lease: job ", job.id, " is now leased to agent ", job.task.lease.agent));
  }
  if (job.task.lease.deadline_ms <= now_ms) {
    return absl::FailedPreconditionError(absl::StrCat("stale lease: the lease on job ", job.id,
                                                      " expired at ", job.task.lease.deadline_ms,
                                                      " ms"));
  }
  return absl::OkStatus();
}

absl::Status Renew(Job& job, const std::string& lease_id, int64_t now_ms, const JobPolicy& policy,
                   const Progress* progress) {
  RETURN_IF_ERROR(CheckLease(job, lease_id, now_ms));
  job.task.lease.deadline_ms = now_ms + Ms(policy.lease_duration);
  if (progress != nullptr) job.progress = *progress;
  job.updated_ms = now_ms;
  return absl::OkStatus();
}

namespace {

// The refusals of ApplyStepReport: no live lease, a negative step index, or a COMPLETED outcome
// without the published output path.
absl::Status CheckStepReport(const Job& job, const StepReport& r, int64_t now_ms) {
  RETURN_IF_ERROR(CheckLease(job, r.lease_id, now_ms));
  if (r.step_index < 0) {
    return absl::InvalidArgumentError(absl::StrCat("step index ", r.step_index, " is negative"));
  }
  if (r.event == StepEvent::kFinished && r.outcome == TaskOutcome::kCompleted &&
      r.output_path.empty()) {
    return absl::InvalidArgumentError("outcome COMPLETED needs the published output_path");
  }
  return absl::OkStatus();
}

// kStarted: `step` runs afresh from now.
Note StartStep(Job& job, StepRecord& step, const StepReport& r, const std::string& agent,
               int64_t now_ms) {
  // Steps run in order: records of later steps are from an earlier attempt and now void.
  job.steps.erase(std::remove_if(job.steps.begin(), job.steps.end(),
                                 [&](const StepRecord& s) { return s.index > r.step_index; }),
                  job.steps.end());
  step.state = StepState::kRunning;
  step.started_ms = now_ms;
  step.finished_ms = 0;
  step.message.clear();
  step.checkpoint = Checkpoint{};
  step.progress = r.progress;
  job.progress = r.progress;
  return absl::StrCat(StepLabel(r), " started on agent ", agent);
}

// kProgress: records the progress on the step and the job; not worth a log line.
void RecordStepProgress(Job& job, StepRecord& step, const StepReport& r) {
  if (step.state == StepState::kPending) step.state = StepState::kRunning;
  step.progress = r.progress;
  job.progress = r.progress;
}

// kFinished: `step` is done with its checkpoint; an outcome ends the job (completed or skipped).
Note FinishStep(Job& job, StepRecord& step, const StepReport& r, int64_t now_ms) {
  step.state = StepState::kDone;
  if (step.started_ms == 0) step.started_ms = now_ms;
  step.finished_ms = now_ms;
  step.checkpoint = r.checkpoint;
  step.message.clear();
  Note note = absl::StrCat(StepLabel(r), " finished");
  if (r.outcome == TaskOutcome::kCompleted) {
    job.state = JobState::kCompleted;
    job.output = r.output_path;
    job.error.clear();
    ClearLease(job);
    absl::StrAppend(&note, "; job completed, output ", r.output_path);
  } else if (r.outcome == TaskOutcome::kSkipped) {
    job.state = JobState::kSkipped;
    job.error = r.reason;
    ClearLease(job);
    absl::StrAppend(&note, "; job skipped: ", r.reason);
  }
  return note;
}

// kFailed: the lease ends; the job retries after a jittered backoff, or is failed_permanent when
// the failure is not retryable or this was the last allowed attempt.
Note FailStep(Job& job, StepRecord& step, const StepReport& r, int64_t now_ms,
              const JobPolicy& policy, double jitter) {
  step.state = StepState::kFailed;
  step.finished_ms = now_ms;
  step.message = r.error;
  job.error = absl::StrCat(StepLabel(r), " failed: ", r.error);
  ClearLease(job);
  if (!r.retryable) {
    job.state = JobState::kFailedPermanent;
    return absl::StrCat(job.error, "; not retryable: failed_permanent");
  }
  if (job.attempts >= job.max_attempts) {
    job.state = JobState::kFailedPermanent;
    return absl::StrCat(job.error, "; attempt ", job.attempts, " of ", job.max_attempts,
                        ": failed_permanent");
  }
  const absl::Duration delay =
      RetryBackoff(job.attempts, policy.backoff_base, policy.backoff_cap, jitter);
  job.state = JobState::kFailed;
  job.not_before_ms = now_ms + Ms(delay);
  return absl::StrCat(job.error, "; attempt ", job.attempts, " of ", job.max_attempts,
                      ", retry in ", absl::FormatDuration(delay));
}

}  // namespace

absl::StatusOr<Note> ApplyStepReport(Job& job, const StepReport& r, const std::string& agent,
                                     int64_t now_ms, const JobPolicy& policy, double jitter) {
  RETURN_IF_ERROR(CheckStepReport(job, r, now_ms));
  Job next = job;  // mutate a copy so a refusal leaves `job` untouched
  StepRecord& step = StepAt(next, r.step_index, r.step_name);
  step.agent = agent;
  next.step = step.name;
  next.updated_ms = now_ms;
  if (!r.plan.empty()) next.plan = r.plan;
  Note note;
  switch (r.event) {
    case StepEvent::kStarted:
      note = StartStep(next, step, r, agent, now_ms);
      break;
    case StepEvent::kProgress:
      RecordStepProgress(next, step, r);
      break;
    case StepEvent::kFinished:
      if (r.outcome == TaskOutcome::kChunked) {
        ASSIGN_OR_RETURN(note, StartChunks(next, r, now_ms));
      } else {
        note = FinishStep(next, step, r, now_ms);
      }
      break;
    case StepEvent::kFailed:
      if (!r.redo_chunks.empty()) {
        ASSIGN_OR_RETURN(note, ReopenChunks(next, r, now_ms));
      } else {
        note = FailStep(next, step, r, now_ms, policy, jitter);
      }
      break;
  }
  if (next.state == JobState::kRunning && !next.task.lease.id.empty()) {
    next.task.lease.deadline_ms = now_ms + Ms(policy.lease_duration);
  }
  job = std::move(next);
  return note;
}

absl::StatusOr<Note> Release(Job& job, const std::string& lease_id, const std::string& reason,
                             int64_t now_ms) {
  RETURN_IF_ERROR(CheckLease(job, lease_id, now_ms));
  const std::string agent = job.task.lease.agent;
  job.state = JobState::kPending;
  job.attempts = std::max(0, job.attempts - 1);
  ClearLease(job);
  job.updated_ms = now_ms;
  return absl::StrCat("lease released by agent ", agent, reason.empty() ? "" : ": ", reason,
                      "; back to pending, attempt not counted");
}

bool IsLeaseExpired(const Job& job, int64_t now_ms) {
  return job.state == JobState::kRunning && job.task.lease.deadline_ms <= now_ms;
}

absl::StatusOr<Note> ExpireLease(Job& job, int64_t now_ms, const JobPolicy& /*policy*/) {
  if (!IsLeaseExpired(job, now_ms)) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", job.id, " has no expired lease to end"));
  }
  const std::string agent = job.task.lease.agent;
  ClearLease(job);
  job.updated_ms = now_ms;
  // A step still marked running was interrupted; it will be redone.
  for (StepRecord& s : job.steps) {
    if (s.state == StepState::kRunning) s.state = StepState::kPending;
  }
  if (job.attempts >= job.max_attempts) {
    job.state = JobState::kFailedPermanent;
    job.error = absl::StrCat("lease of agent ", agent, " expired on attempt ", job.attempts, " of ",
                             job.max_attempts);
    return absl::StrCat(job.error, ": failed_permanent");
  }
  job.state = JobState::kPending;
  return absl::StrCat("lease of agent ", agent,
                      " expired (no heartbeat); back to pending with finished steps kept");
}

absl::StatusOr<Note> Reset(Job& job, int from_step, int64_t now_ms) {
  const int recorded = job.steps.empty() ? 0 : job.steps.back().index + 1;
  if (from_step < 0 || from_step > recorded) {
    return absl::InvalidArgumentError(absl::StrCat("cannot reset job ", job.id, " from step ",
                                                   from_step, ": it has steps 0..", recorded,
                                                   " to restart from"));
  }
  const JobState was = job.state;
  ResetChunks(job, from_step);
  job.steps.erase(std::remove_if(job.steps.begin(), job.steps.end(),
                                 [&](const StepRecord& s) { return s.index >= from_step; }),
                  job.steps.end());
  for (StepRecord& s : job.steps) {
    if (s.state == StepState::kRunning || s.state == StepState::kFailed) {
      s.state = StepState::kPending;
    }
  }
  job.state = JobState::kPending;
  job.attempts = 0;
  job.error.clear();
  job.output.clear();
  job.not_before_ms = 0;
  job.progress = Progress{};
  job.step = job.steps.empty() ? "" : job.steps.back().name;
  if (from_step == 0) job.plan.clear();
  ClearLease(job);
  job.updated_ms = now_ms;
  return absl::StrCat("admin reset from step ", from_step, " (was ", JobStateName(was),
                      "); attempts zeroed");
}

absl::StatusOr<Note> Cancel(Job& job, int64_t now_ms) {
  if (IsTerminal(job.state)) {
    return absl::FailedPreconditionError(absl::StrCat("job ", job.id, " is ",
                                                      JobStateName(job.state),
                                                      ": only non-terminal jobs can be cancelled"));
  }
  const JobState was = job.state;
  job.state = JobState::kCancelled;
  ClearLease(job);
  RevokeChunkLeases(job);
  job.updated_ms = now_ms;
  return absl::StrCat("cancelled by admin (was ", JobStateName(was), ")");
}

}  // namespace mkvfleet::server
