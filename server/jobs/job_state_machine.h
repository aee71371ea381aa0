// The job life cycle as pure functions over a Job value: no I/O, time and randomness passed in.
// The JobStore loads a job, applies one of these inside a transaction and writes the result back,
// so every rule about states, leases, attempts and steps lives here and is unit tested here.
//
//   pending --Claim--> running --Report FINISHED(outcome)--> completed | skipped
//                      running --Report FAILED--> failed (retry after backoff) | failed_permanent
//                      running --ExpireLease / Release--> pending (finished steps kept)
//   failed  --Claim (after not_before)--> running
//   any     --Reset(from step N)--> pending;  non-terminal --Cancel--> cancelled
//   running --Report FINISHED(chunked) on encode--> the chunk phase (chunk_rules.h)
//
// Each operation either succeeds and mutates `job` (returning a note for the job log, possibly
// empty), or fails and leaves `job` untouched:
//   FailedPrecondition  the job is not in a state that allows it (stale lease, terminal job, ...)
//   InvalidArgument     the request itself is malformed (negative step, missing output path, ...)
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/constants.h"
#include "server/jobs/job_model.h"

namespace mkvfleet::server {

// [chunking] of the coordinator config: what whole-job tasks are told about chunking their
// encode (the agent's encode step decides once it knows the title; see jobs.proto
// ChunkingRequest).
struct ChunkingPolicy {
  double min_seconds = 1200;  // auto: only titles longer than this are chunked
  int chunks_per_agent = 3;
  double min_chunk_seconds = 60;
  double max_chunk_seconds = 600;
};

// Knobs of the life cycle (from the coordinator config).
struct JobPolicy {
  absl::Duration lease_duration = kDefaultLeaseDuration;
  int max_attempts = kDefaultMaxAttempts;
  absl::Duration backoff_base = kDefaultBackoffBase;
  absl::Duration backoff_cap = kDefaultBackoffCap;
  ChunkingPolicy chunking;
};

enum class StepEvent { kStarted, kProgress, kFinished, kFailed };
// kChunked: the encode step split its work into chunks (see chunk_rules.h).
enum class TaskOutcome { kNone, kCompleted, kSkipped, kChunked };

// One ReportStep call in domain terms.
struct StepReport {
  std::string lease_id;
  int step_index = 0;
  std::string step_name;
  StepEvent event = StepEvent::kStarted;
  Progress progress;
  Checkpoint checkpoint;       // kFinished
  std::string error;           // kFailed
  bool retryable = true;       // kFailed
  TaskOutcome outcome = TaskOutcome::kNone;  // kFinished
  std::string output_path;     // outcome kCompleted
  std::string reason;          // outcome kSkipped
  std::string plan;            // set once planned
  int64_t bytes_read = 0;      // kFinished/kFailed: storage I/O of the step (metrics only)
  int64_t bytes_written = 0;
  std::vector<Chunk> chunks;   // outcome kChunked: the ranges (index, first_frame, frames)
  std::string chunk_manifest;  // outcome kChunked
  // kFailed on the encode step while assembling: the chunks whose files failed the assembly
  // checks; they are redone and the job waits for them again instead of failing.
  std::vector<int> redo_chunks;
};

// A note for the job log; empty when the operation is not worth a line (renewal, progress).
using Note = std::string;

// True when an agent may claim the job now: pending, or failed with its backoff over.
bool IsClaimable(const Job& job, int64_t now_ms);

// Leases the job to `agent` under `lease_id` until now + lease_duration; counts an attempt.
// FailedPrecondition unless IsClaimable. REQUIRES: lease_id non-empty and unique.
absl::StatusOr<Note> Claim(Job& job, const std::string& agent, const std::string& lease_id,
                           int64_t now_ms, const JobPolicy& policy);

// After a claim: steps at index >= from_step will be redone, so they go back to pending with
// their checkpoints cleared (earlier steps keep theirs). No-op for from_step beyond the steps.
void PrepareResume(Job& job, int from_step);

// OK when `lease_id` is the job's live lease (running, same id, deadline not passed);
// FailedPrecondition saying why not otherwise.
absl::Status CheckLease(const Job& job, const std::string& lease_id, int64_t now_ms);

// Extends a live lease to now + lease_duration and records progress (may be null).
absl::Status Renew(Job& job, const std::string& lease_id, int64_t now_ms, const JobPolicy& policy,
                   const Progress* progress);

// Applies a step report under a live lease (and renews it while the job keeps running).
// `jitter` in [0,1] spreads the retry backoff of a failure.
absl::StatusOr<Note> ApplyStepReport(Job& job, const StepReport& report, const std::string& agent,
                                     int64_t now_ms, const JobPolicy& policy, double jitter);

// The agent hands its live lease back: pending at once, steps kept, the attempt not counted.
absl::StatusOr<Note> Release(Job& job, const std::string& lease_id, const std::string& reason,
                             int64_t now_ms);

// True when the job is running and its lease deadline has passed.
bool IsLeaseExpired(const Job& job, int64_t now_ms);

// Ends an expired lease: back to pending with finished steps kept, or failed_permanent when that
// was the last allowed attempt. FailedPrecondition unless IsLeaseExpired.
absl::StatusOr<Note> ExpireLease(Job& job, int64_t now_ms, const JobPolicy& policy);

// Admin override from any state: pending, steps at index >= from_step forgotten, attempts zeroed,
// error cleared, any lease revoked. InvalidArgument when from_step < 0 or beyond the recorded
// steps (from_step may equal their count: "continue after the last one").
absl::StatusOr<Note> Reset(Job& job, int from_step, int64_t now_ms);

// Stops a non-terminal job (revoking a lease). FailedPrecondition for terminal jobs.
absl::StatusOr<Note> Cancel(Job& job, int64_t now_ms);

}  // namespace mkvfleet::server
