// The pure chunk life cycle; see the header for the transitions.
#include "server/jobs/chunk_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/jobs/retry_backoff.h"

namespace mkvfleet::server {
namespace {

int64_t Ms(absl::Duration d) { return absl::ToInt64Milliseconds(d); }

absl::StatusOr<Chunk*> ChunkAt(Job& job, int index) {
  if (index < 0 || index >= static_cast<int>(job.chunks.size())) {
    return absl::InvalidArgumentError(absl::StrCat("job ", job.id, " has no chunk ", index,
                                                   " (it has ", job.chunks.size(), ")"));
  }
  return &job.chunks[index];
}

StepRecord* EncodeStep(Job& job) {
  for (StepRecord& s : job.steps) {
    if (s.name == "encode") return &s;
  }
  return nullptr;
}

void ClearLease(Chunk& c) { c.task.lease = Lease{}; }

// The chunk phase is over when every chunk is done: the job waits for an assembling claim.
Note FinishPhaseIfDone(Job& job, int64_t now_ms) {
  const bool all_done = std::all_of(job.chunks.begin(), job.chunks.end(),
                                    [](const Chunk& c) { return c.state == ChunkState::kDone; });
  if (!all_done) return "";
  job.state = JobState::kPending;
  job.agent.clear();
  job.not_before_ms = 0;
  job.updated_ms = now_ms;
  if (StepRecord* encode = EncodeStep(job)) {
    encode->state = StepState::kPending;
    encode->message = absl::StrCat("all ", job.chunks.size(), " chunks done; to assemble");
  }
  return absl::StrCat("; all ", job.chunks.size(), " chunks done: pending, to assemble");
}

// The job waits for its chunks: the whole-job lease ends (that claim succeeded, so its attempt is
// not counted: the assembling claim gets the same budget) and the encode step shows `message`.
void EnterChunkPhase(Job& job, int64_t now_ms, std::string message) {
  job.task.lease = Lease{};
  job.agent.clear();
  job.attempts = std::max(0, job.attempts - 1);
  job.progress = ChunkedProgress(job);
  job.updated_ms = now_ms;
  if (StepRecord* encode = EncodeStep(job)) {
    encode->state = StepState::kRunning;
    encode->message = std::move(message);
  }
}

// The job cannot finish: every chunk lease ends and the job fails permanently.
Note FailJob(Job& job, const std::string& why, int64_t now_ms) {
  RevokeChunkLeases(job);
  job.state = JobState::kFailedPermanent;
  job.error = why;
  job.updated_ms = now_ms;
  return absl::StrCat(why, ": failed_permanent");
}

absl::Status CheckTiling(const Job& job, const StepReport& r) {
  if (r.chunk_manifest.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("job ", job.id, ": a chunked encode must name its manifest"));
  }
  if (r.chunks.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "job ", job.id, ": a chunked encode needs at least 2 chunks, got ", r.chunks.size()));
  }
  int64_t next = 0;
  for (size_t i = 0; i < r.chunks.size(); ++i) {
    const Chunk& c = r.chunks[i];
    if (c.index != static_cast<int>(i) || c.first_frame != next || c.frames < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "job ", job.id, ": chunk ", i, " (index ", c.index, ", frames ", c.first_frame, "+",
          c.frames, ") does not continue the ranges before it at frame ", next));
    }
    next += c.frames;
  }
  return absl::OkStatus();
}

}  // namespace

bool InChunkPhase(const Job& job) {
  return job.state == JobState::kRunning && !job.chunks.empty() && job.task.lease.id.empty();
}

absl::StatusOr<Note> StartChunks(Job& job, const StepReport& r, int64_t now_ms) {
  if (auto st = CheckTiling(job, r); !st.ok()) return st;
  job.chunks.clear();
  for (const Chunk& range : r.chunks) {
    Chunk c;
    c.index = range.index;
    c.first_frame = range.first_frame;
    c.frames = range.frames;
    c.task.id = 0;  // the store assigns one when it saves the job
    job.chunks.push_back(std::move(c));
  }
  job.chunk_manifest = r.chunk_manifest;
  EnterChunkPhase(job, now_ms, absl::StrCat("encoding in ", job.chunks.size(), " chunks"));
  const Chunk& last = job.chunks.back();
  return absl::StrCat("encode split into ", job.chunks.size(), " chunks (frames 0..",
                      last.first_frame + last.frames - 1, "), manifest ", job.chunk_manifest,
                      "; any agent with a shared work dir can take them");
}

bool IsChunkClaimable(const Job& job, const Chunk& c, int64_t now_ms) {
  if (!InChunkPhase(job)) return false;
  return c.state == ChunkState::kPending ||
         (c.state == ChunkState::kFailed && c.not_before_ms <= now_ms);
}

absl::StatusOr<Note> ClaimChunk(Job& job, int index, const std::string& agent,
                                const std::string& lease_id, int64_t now_ms,
                                const JobPolicy& policy) {
  absl::StatusOr<Chunk*> c = ChunkAt(job, index);
  if (!c.ok()) return c.status();
  Chunk& chunk = **c;
  if (!IsChunkClaimable(job, chunk, now_ms)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "chunk ", index, " of job ", job.id, " is ", ChunkStateName(chunk.state),
        InChunkPhase(job) ? "" : " and the job is not waiting for chunks", ": cannot be claimed"));
  }
  chunk.state = ChunkState::kRunning;
  chunk.attempts += 1;
  chunk.agent = agent;
  chunk.error.clear();
  chunk.progress = Progress{};
  chunk.progress.frames_total = chunk.frames;
  chunk.started_ms = now_ms;
  chunk.not_before_ms = 0;
  chunk.task.lease = Lease{lease_id, agent, now_ms + Ms(policy.lease_duration)};
  job.updated_ms = now_ms;
  return absl::StrCat("chunk ", index, " (frames ", chunk.first_frame, "+", chunk.frames,
                      ") claimed by agent ", agent, " (attempt ", chunk.attempts, " of ",
                      job.max_attempts, ")");
}

absl::Status CheckChunkLease(const Job& job, int index, const std::string& lease_id,
                             int64_t now_ms) {
  if (index < 0 || index >= static_cast<int>(job.chunks.size())) {
    return absl::FailedPreconditionError(
        absl::StrCat("stale lease: job ", job.id, " has no chunk ", index));
  }
  const Chunk& c = job.chunks[index];
  if (c.state != ChunkState::kRunning || c.task.lease.id.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("stale lease: chunk ", index, " of job ",
                                                      job.id, " is ", ChunkStateName(c.state),
                                                      " and holds no lease"));
  }
  if (c.task.lease.id != lease_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "stale lease: chunk ", index, " of job ", job.id, " is now leased to agent ",
        c.task.lease.agent));
  }
  if (c.task.lease.deadline_ms <= now_ms) {
    return absl::FailedPreconditionError(
        absl::StrCat("stale lease: the lease on chunk ", index, " of job ", job.id,
                     " expired at ", c.task.lease.deadline_ms, " ms"));
  }
  return absl::OkStatus();
}

absl::Status RenewChunk(Job& job, int index, const std::string& lease_id, int64_t now_ms,
                        const JobPolicy& policy, const Progress* progress) {
  if (auto st = CheckChunkLease(job, index, lease_id, now_ms); !st.ok()) return st;
  Chunk& c = job.chunks[index];
  c.task.lease.deadline_ms = now_ms + Ms(policy.lease_duration);
  if (progress != nullptr) c.progress = *progress;
  job.progress = ChunkedProgress(job);
  job.updated_ms = now_ms;
  return absl::OkStatus();
}

absl::StatusOr<Note> ApplyChunkReport(Job& job, int index, const StepReport& r, int64_t now_ms,
                                      const JobPolicy& policy, double jitter) {
  if (auto st = CheckChunkLease(job, index, r.lease_id, now_ms); !st.ok()) return st;
  Chunk& c = job.chunks[index];
  const std::string agent = c.task.lease.agent;
  switch (r.event) {
    case StepEvent::kStarted:
    case StepEvent::kProgress:
      if (auto st = RenewChunk(job, index, r.lease_id, now_ms, policy, &r.progress); !st.ok()) {
        return st;
      }
      return Note();
    case StepEvent::kFinished: {
      const std::string accepted = AcceptedParameterSets(job);
      auto it = r.checkpoint.facts.find(kFactParameterSetsSha256);
      const std::string mine = it == r.checkpoint.facts.end() ? "" : it->second;
      if (mine.empty() || (!accepted.empty() && mine != accepted)) {
        StepReport refused = r;
        refused.event = StepEvent::kFailed;
        refused.retryable = true;
        refused.error = mine.empty() ? "the chunk report carries no parameter-set hash"
                                     : absl::StrCat("its parameter sets (", mine,
                                                    ") differ from the accepted chunks' (",
                                                    accepted, "): it cannot be joined");
        return ApplyChunkReport(job, index, refused, now_ms, policy, jitter);
      }
      c.state = ChunkState::kDone;
      c.checkpoint = r.checkpoint;
      c.progress = Progress{c.frames, c.frames, 0, 0};
      c.finished_ms = now_ms;
      ClearLease(c);
      job.progress = ChunkedProgress(job);
      job.updated_ms = now_ms;
      Note note = absl::StrCat("chunk ", index, " done by agent ", agent);
      return note + FinishPhaseIfDone(job, now_ms);
    }
    case StepEvent::kFailed: {
      ClearLease(c);
      c.error = r.error;
      c.progress = Progress{};
      job.updated_ms = now_ms;
      const std::string what =
          absl::StrCat("chunk ", index, " failed on agent ", agent, " (attempt ", c.attempts,
                       " of ", job.max_attempts, "): ", r.error);
      if (!r.retryable || c.attempts >= job.max_attempts) {
        c.state = ChunkState::kFailed;
        return FailJob(job, what, now_ms);
      }
      c.state = ChunkState::kFailed;
      c.not_before_ms = now_ms + Ms(RetryBackoff(c.attempts, policy.backoff_base,
                                                 policy.backoff_cap, jitter));
      job.progress = ChunkedProgress(job);
      return absl::StrCat(what, "; retried alone from ", c.not_before_ms, " ms");
    }
  }
  return absl::InvalidArgumentError("unknown step event");
}

absl::StatusOr<Note> ReleaseChunk(Job& job, int index, const std::string& lease_id,
                                  const std::string& reason, int64_t now_ms) {
  if (auto st = CheckChunkLease(job, index, lease_id, now_ms); !st.ok()) return st;
  Chunk& c = job.chunks[index];
  const std::string agent = c.task.lease.agent;
  c.state = ChunkState::kPending;
  c.attempts = std::max(0, c.attempts - 1);
  c.progress = Progress{};
  ClearLease(c);
  job.progress = ChunkedProgress(job);
  job.updated_ms = now_ms;
  return absl::StrCat("chunk ", index, " released by agent ", agent,
                      reason.empty() ? "" : ": ", reason, "; pending, attempt not counted");
}

bool IsChunkLeaseExpired(const Job& job, int index, int64_t now_ms) {
  if (index < 0 || index >= static_cast<int>(job.chunks.size())) return false;
  const Chunk& c = job.chunks[index];
  return c.state == ChunkState::kRunning && !c.task.lease.id.empty() &&
         c.task.lease.deadline_ms <= now_ms;
}

absl::StatusOr<Note> ExpireChunkLease(Job& job, int index, int64_t now_ms,
                                      const JobPolicy& /*policy*/) {
  if (!IsChunkLeaseExpired(job, index, now_ms)) {
    return absl::FailedPreconditionError(
        absl::StrCat("chunk ", index, " of job ", job.id, " has no expired lease to end"));
  }
  Chunk& c = job.chunks[index];
  const std::string agent = c.task.lease.agent;
  ClearLease(c);
  c.progress = Progress{};
  job.updated_ms = now_ms;
  const std::string what = absl::StrCat("lease of agent ", agent, " on chunk ", index,
                                        " expired on attempt ", c.attempts, " of ",
                                        job.max_attempts);
  if (c.attempts >= job.max_attempts) {
    c.state = ChunkState::kFailed;
    c.error = what;
    return FailJob(job, what, now_ms);
  }
  c.state = ChunkState::kPending;
  job.progress = ChunkedProgress(job);
  return absl::StrCat(what, " (no heartbeat); the chunk is pending again, the others keep theirs");
}

absl::StatusOr<Note> ReopenChunks(Job& job, const StepReport& r, int64_t now_ms) {
  if (job.chunks.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("job ", job.id, " has no chunks to redo"));
  }
  for (int index : r.redo_chunks) {
    if (index < 0 || index >= static_cast<int>(job.chunks.size())) {
      return absl::InvalidArgumentError(absl::StrCat("job ", job.id, " has no chunk ", index,
                                                     " to redo (it has ", job.chunks.size(),
                                                     ")"));
    }
  }
  std::string listed;
  for (int index : r.redo_chunks) {
    Chunk& c = job.chunks[index];
    c.state = ChunkState::kPending;
    c.checkpoint = Checkpoint{};
    c.progress = Progress{};
    c.error = r.error;
    c.finished_ms = 0;
    ClearLease(c);
    absl::StrAppend(&listed, listed.empty() ? "" : ", ", index);
  }
  EnterChunkPhase(job, now_ms, absl::StrCat("redoing chunks ", listed));
  return absl::StrCat("assembly refused chunks ", listed, ": ", r.error,
                      "; they are redone alone, then the job assembles again");
}

void RevokeChunkLeases(Job& job) {
  for (Chunk& c : job.chunks) {
    if (c.state == ChunkState::kRunning) c.state = ChunkState::kPending;
    ClearLease(c);
  }
}

void ResetChunks(Job& job, int from_step) {
  if (job.chunks.empty()) return;
  const StepRecord* encode = EncodeStep(job);
  const bool all_done = std::all_of(job.chunks.begin(), job.chunks.end(),
                                    [](const Chunk& c) { return c.state == ChunkState::kDone; });
  if (encode == nullptr || encode->index >= from_step || !all_done) {
    DropChunks(job);
  } else {
    RevokeChunkLeases(job);
  }
}

void DropChunks(Job& job) {
  job.chunks.clear();
  job.chunk_manifest.clear();
}

Progress ChunkedProgress(const Job& job) {
  Progress p;
  for (const Chunk& c : job.chunks) {
    p.frames_total += c.frames;
    if (c.state == ChunkState::kDone) {
      p.frames_done += c.frames;
    } else if (c.state == ChunkState::kRunning) {
      p.frames_done += std::min(c.progress.frames_done, c.frames);
      p.fps += c.progress.fps;
    }
  }
  if (p.fps > 0 && p.frames_total > p.frames_done) {
    p.eta_ms = static_cast<int64_t>(1000.0 * static_cast<double>(p.frames_total - p.frames_done) /
                                    p.fps);
  }
  return p;
}

std::string AcceptedParameterSets(const Job& job) {
  for (const Chunk& c : job.chunks) {
    if (c.state != ChunkState::kDone) continue;
    auto it = c.checkpoint.facts.find(kFactParameterSetsSha256);
    if (it != c.checkpoint.facts.end()) return it->second;
  }
  return "";
}

}  // namespace mkvfleet::server
