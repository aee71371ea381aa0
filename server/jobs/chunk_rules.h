// The life cycle of a chunked re-encode as pure functions over a Job value, beside the whole-job
// rules of job_state_machine.h (same conventions: time and randomness passed in, a Note for the
// job log on success, the job untouched on error).
//
//   encode step reports CHUNKED(ranges) --StartChunks--> chunk phase: job running, no job lease,
//                                                        every chunk pending
//   chunk  pending --ClaimChunk--> running --FINISHED--> done
//          running --FAILED (retryable)--> failed, claimable again after a backoff
//          running --ExpireChunkLease / ReleaseChunk--> pending (finished chunks kept)
//          out of attempts, or FAILED not retryable --> the job fails permanently
//   last chunk done --> job pending: the next whole-job claim resumes at the encode step, which
//                       assembles the chunks
//
// Each chunk carries its own lease (Chunk::task) and attempt count, so a lost chunk is redone
// alone on any agent while the others keep theirs; a report under a stale chunk lease is refused.
//
// Errors: FailedPrecondition when the job or chunk is not in a state that allows the operation
// (stale lease, not in the chunk phase), InvalidArgument for malformed requests (ranges that do
// not tile the title, an unknown chunk index).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/jobs/job_model.h"
#include "server/jobs/job_state_machine.h"

namespace mkvfleet::server {

// The fact a chunk report carries with the hash of its VPS/SPS/PPS: chunks join only when equal.
inline constexpr char kFactParameterSetsSha256[] = "parameter_sets_sha256";

// True while the job's chunks are out: running, chunks recorded, no whole-job lease.
bool InChunkPhase(const Job& job);

// Enters the chunk phase from a FINISHED report with outcome kChunked on the encode step:
// report.chunks must tile [0, total) in index order (>= 2 chunks, each >= 1 frame) and
// report.chunk_manifest must be set. The encode step stays running (waiting for the chunks), the
// job lease ends (the reporting agent is done with this task), every chunk is pending.
absl::StatusOr<Note> StartChunks(Job& job, const StepReport& report, int64_t now_ms);

// True when chunk `chunk` of a job in the chunk phase may be claimed now: pending, or failed
// with its backoff over.
bool IsChunkClaimable(const Job& job, const Chunk& chunk, int64_t now_ms);

// Leases chunk `index` to `agent` under `lease_id` until now + lease_duration; counts an attempt.
// FailedPrecondition unless IsChunkClaimable; InvalidArgument for an unknown index.
absl::StatusOr<Note> ClaimChunk(Job& job, int index, const std::string& agent,
                                const std::string& lease_id, int64_t now_ms,
                                const JobPolicy& policy);

// OK when `lease_id` is chunk `index`'s live lease; FailedPrecondition saying why not otherwise.
absl::Status CheckChunkLease(const Job& job, int index, const std::string& lease_id,
                             int64_t now_ms);

// Extends chunk `index`'s live lease and records its progress (may be null); the job's progress
// becomes the sum over its chunks.
absl::Status RenewChunk(Job& job, int index, const std::string& lease_id, int64_t now_ms,
                        const JobPolicy& policy, const Progress* progress);

// Applies a report of the chunk task under its live lease. FINISHED accepts the chunk unless its
// parameter sets differ from the chunks accepted before (then it fails, retryable: the chunk is
// redone). `jitter` in [0,1] spreads the retry backoff.
absl::StatusOr<Note> ApplyChunkReport(Job& job, int index, const StepReport& report,
                                      int64_t now_ms, const JobPolicy& policy, double jitter);

// The agent hands the chunk's live lease back: pending at once, the attempt not counted.
absl::StatusOr<Note> ReleaseChunk(Job& job, int index, const std::string& lease_id,
                                  const std::string& reason, int64_t now_ms);

// True when chunk `index` is running and its lease deadline has passed.
bool IsChunkLeaseExpired(const Job& job, int index, int64_t now_ms);

// Ends an expired chunk lease: the chunk goes back to pending, or the job fails permanently when
// that was the chunk's last allowed attempt. FailedPrecondition unless IsChunkLeaseExpired.
absl::StatusOr<Note> ExpireChunkLease(Job& job, int index, int64_t now_ms,
                                      const JobPolicy& policy);

// Puts the chunks listed in report.redo_chunks (a FAILED report of the encode step while
// assembling: their files failed the checks) back to pending and the job back into the chunk
// phase, the whole-job lease ended and its attempt not counted. InvalidArgument for an unknown
// index or a job without chunks.
absl::StatusOr<Note> ReopenChunks(Job& job, const StepReport& report, int64_t now_ms);

// Ends every chunk lease (cancel, reset, the job failing); running chunks go back to pending.
void RevokeChunkLeases(Job& job);

// A reset from step `from_step`: the chunks are forgotten when the encode step is redone (it is at
// or after from_step) or when they were not all done; otherwise their leases end and they stay.
void ResetChunks(Job& job, int from_step);

// Forgets the chunks and the manifest (a reset to the encode step or before).
void DropChunks(Job& job);

// The job's progress from its chunks: frames done (all of a done chunk's), fps summed over the
// running chunks, ETA from the frames left at that rate (0 when unknown).
Progress ChunkedProgress(const Job& job);

// The parameter-set hash every accepted chunk reported ("" before the first is accepted).
std::string AcceptedParameterSets(const Job& job);

}  // namespace mkvfleet::server
