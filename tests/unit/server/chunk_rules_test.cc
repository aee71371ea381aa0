// The pure chunk life cycle: entering the chunk phase, claims, reports, parameter-set refusal,
// retries alone, expiry, release, the phase ending, progress, and every refusal.
#include "server/jobs/chunk_rules.h"

#include <catch2/catch.hpp>

namespace mkvfleet::server {
namespace {

constexpr int64_t kT0 = 1'000'000;
constexpr int64_t kLeaseMs = 60'000;

// A job whose whole-job task is at its encode step (index 3) under lease "J".
Job EncodingJob() {
  Job job;
  job.id = 9;
  job.max_attempts = 3;
  job.state = JobState::kRunning;
  job.agent = "prep";
  job.task.id = 1;
  job.task.lease = Lease{"J", "prep", kT0 + kLeaseMs};
  for (const char* name : {"probe", "plan", "rpu", "encode"}) {
    StepRecord s;
    s.index = static_cast<int>(job.steps.size());
    s.name = name;
    s.state = StepState::kDone;
    job.steps.push_back(s);
  }
  job.steps.back().state = StepState::kRunning;
  return job;
}

StepReport ChunkedReport(std::vector<std::pair<int64_t, int64_t>> ranges) {
  StepReport r;
  r.lease_id = "J";
  r.step_index = 3;
  r.step_name = "encode";
  r.event = StepEvent::kFinished;
  r.outcome = TaskOutcome::kChunked;
  r.chunk_manifest = "/shared/job-9/manifest.json";
  for (size_t i = 0; i < ranges.size(); ++i) {
    Chunk c;
    c.index = static_cast<int>(i);
    c.first_frame = ranges[i].first;
    c.frames = ranges[i].second;
    r.chunks.push_back(c);
  }
  return r;
}

// A job in the chunk phase with three chunks of 10, 20 and 30 frames.
Job ChunkedJob() {
  Job job = EncodingJob();
  auto note = StartChunks(job, ChunkedReport({{0, 10}, {10, 20}, {30, 30}}), kT0);
  REQUIRE(note.ok());
  return job;
}

StepReport ChunkReport(const std::string& lease, StepEvent event, const std::string& ps = "") {
  StepReport r;
  r.lease_id = lease;
  r.step_index = 3;
  r.step_name = "encode";
  r.event = event;
  if (!ps.empty()) r.checkpoint.facts[kFactParameterSetsSha256] = ps;
  r.error = event == StepEvent::kFailed ? "x265 crashed" : "";
  return r;
}

TEST_CASE("a CHUNKED encode report starts the chunk phase") {
  Job job = EncodingJob();
  auto note = StartChunks(job, ChunkedReport({{0, 10}, {10, 20}, {30, 30}}), kT0);
  REQUIRE(note.ok());
  CHECK_THAT(*note, Catch::Contains("3 chunks") && Catch::Contains("frames 0..59"));
  CHECK(InChunkPhase(job));
  CHECK(job.task.lease.id.empty());
  CHECK(job.agent.empty());
  CHECK(job.state == JobState::kRunning);
  CHECK(job.chunk_manifest == "/shared/job-9/manifest.json");
  REQUIRE(job.chunks.size() == 3);
  CHECK(job.chunks[2].first_frame == 30);
  CHECK(job.chunks[2].frames == 30);
  for (const Chunk& c : job.chunks) CHECK(c.state == ChunkState::kPending);
  CHECK(job.steps.back().state == StepState::kRunning);
  CHECK(job.progress.frames_total == 60);
  CHECK(job.progress.frames_done == 0);
}

TEST_CASE("ranges that do not tile the title are refused and change nothing") {
  const std::vector<std::vector<std::pair<int64_t, int64_t>>> bad = {
      {{0, 10}},                      // one chunk
      {{0, 10}, {11, 5}},             // a gap
      {{0, 10}, {5, 10}},             // an overlap
      {{1, 10}, {11, 5}},             // not from frame 0
      {{0, 10}, {10, 0}},             // an empty chunk
  };
  for (const auto& ranges : bad) {
    Job job = EncodingJob();
    const Job before = job;
    auto note = StartChunks(job, ChunkedReport(ranges), kT0);
    CHECK(note.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(job.chunks.empty());
    CHECK(job.task.lease.id == before.task.lease.id);
  }
  Job job = EncodingJob();
  StepReport no_manifest = ChunkedReport({{0, 10}, {10, 10}});
  no_manifest.chunk_manifest.clear();
  CHECK(StartChunks(job, no_manifest, kT0).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("chunks are claimed, renewed and finished under their own leases") {
  JobPolicy policy;
  Job job = ChunkedJob();
  REQUIRE(IsChunkClaimable(job, job.chunks[1], kT0));
  auto claimed = ClaimChunk(job, 1, "a2", "C1", kT0 + 5, policy);
  REQUIRE(claimed.ok());
  CHECK_THAT(*claimed, Catch::Contains("chunk 1") && Catch::Contains("attempt 1 of 3"));
  const Chunk& c = job.chunks[1];
  CHECK(c.state == ChunkState::kRunning);
  CHECK(c.agent == "a2");
  CHECK(c.attempts == 1);
  CHECK(c.task.lease.deadline_ms == kT0 + 5 + kLeaseMs);
  CHECK_FALSE(IsChunkClaimable(job, job.chunks[1], kT0 + 6));
  CHECK(ClaimChunk(job, 1, "a3", "C2", kT0 + 6, policy).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(ClaimChunk(job, 7, "a3", "C2", kT0 + 6, policy).status().code() ==
        absl::StatusCode::kInvalidArgument);

  Progress p{5, 20, 2.5, 6000};
  REQUIRE(RenewChunk(job, 1, "C1", kT0 + 1000, policy, &p).ok());
  CHECK(job.chunks[1].task.lease.deadline_ms == kT0 + 1000 + kLeaseMs);
  CHECK(job.progress.frames_done == 5);
  CHECK(job.progress.fps == 2.5);
  CHECK(job.progress.eta_ms == 22000);  // 55 frames left at 2.5 fps
  CHECK(RenewChunk(job, 1, "other", kT0 + 1000, policy, nullptr).code() ==
        absl::StatusCode::kFailedPrecondition);

  auto done = ApplyChunkReport(job, 1, ChunkReport("C1", StepEvent::kFinished, "ps1"),
                               kT0 + 2000, policy, 0.5);
  REQUIRE(done.ok());
  CHECK(job.chunks[1].state == ChunkState::kDone);
  CHECK(job.chunks[1].task.lease.id.empty());
  CHECK(job.chunks[1].finished_ms == kT0 + 2000);
  CHECK(AcceptedParameterSets(job) == "ps1");
  CHECK(job.progress.frames_done == 20);
  CHECK(InChunkPhase(job));  // two chunks left
  // A late report under the finished chunk's lease is refused.
  CHECK(ApplyChunkReport(job, 1, ChunkReport("C1", StepEvent::kProgress), kT0 + 2001, policy,
                         0.5)
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("a chunk whose parameter sets differ is refused and redone alone") {
  JobPolicy policy;
  Job job = ChunkedJob();
  REQUIRE(ClaimChunk(job, 0, "a1", "C0", kT0, policy).ok());
  REQUIRE(ClaimChunk(job, 2, "a2", "C2", kT0, policy).ok());
  REQUIRE(ApplyChunkReport(job, 0, ChunkReport("C0", StepEvent::kFinished, "ps1"), kT0 + 1,
                           policy, 0)
              .ok());
  auto refused = ApplyChunkReport(job, 2, ChunkReport("C2", StepEvent::kFinished, "ps2"),
                                  kT0 + 2, policy, 0);
  REQUIRE(refused.ok());
  CHECK_THAT(*refused, Catch::Contains("differ") && Catch::Contains("retried alone"));
  CHECK(job.chunks[2].state == ChunkState::kFailed);
  CHECK(job.chunks[2].not_before_ms > kT0 + 2);
  CHECK(job.chunks[0].state == ChunkState::kDone);
  CHECK(job.state == JobState::kRunning);
  CHECK_FALSE(IsChunkClaimable(job, job.chunks[2], kT0 + 3));
  CHECK(IsChunkClaimable(job, job.chunks[2], job.chunks[2].not_before_ms));

  SECTION("a report without a hash is refused too") {
    REQUIRE(ClaimChunk(job, 1, "a1", "C1", kT0 + 5, policy).ok());
    REQUIRE(ApplyChunkReport(job, 1, ChunkReport("C1", StepEvent::kFinished), kT0 + 6, policy, 0)
                .ok());
    CHECK(job.chunks[1].state == ChunkState::kFailed);
    CHECK_THAT(job.chunks[1].error, Catch::Contains("no parameter-set hash"));
  }
}

TEST_CASE("the last chunk done makes the job claimable for assembly") {
  JobPolicy policy;
  Job job = ChunkedJob();
  for (int i = 0; i < 3; ++i) {
    const std::string lease = "C" + std::to_string(i);
    REQUIRE(ClaimChunk(job, i, "a", lease, kT0, policy).ok());
    auto note = ApplyChunkReport(job, i, ChunkReport(lease, StepEvent::kFinished, "ps"),
                                 kT0 + 10 + i, policy, 0);
    REQUIRE(note.ok());
    if (i == 2) CHECK_THAT(*note, Catch::Contains("to assemble"));
  }
  CHECK(job.state == JobState::kPending);
  CHECK_FALSE(InChunkPhase(job));
  CHECK(IsClaimable(job, kT0 + 20));
  CHECK(job.steps.back().state == StepState::kPending);
  CHECK(job.progress.frames_done == 60);
  CHECK(job.chunks.size() == 3);
}

TEST_CASE("failures retry a chunk alone until its attempts run out") {
  JobPolicy policy;
  Job job = ChunkedJob();
  int64_t t = kT0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    t = std::max(t, job.chunks[1].not_before_ms) + 1;
    const std::string lease = "L" + std::to_string(attempt);
    REQUIRE(ClaimChunk(job, 1, "a", lease, t, policy).ok());
    auto note = ApplyChunkReport(job, 1, ChunkReport(lease, StepEvent::kFailed), t + 1, policy,
                                 0);
    REQUIRE(note.ok());
    if (attempt < 3) {
      CHECK(job.state == JobState::kRunning);
      CHECK(job.chunks[1].state == ChunkState::kFailed);
      CHECK(job.chunks[1].error == "x265 crashed");
    } else {
      CHECK_THAT(*note, Catch::Contains("attempt 3 of 3") && Catch::Contains("failed_permanent"));
    }
  }
  CHECK(job.state == JobState::kFailedPermanent);
  CHECK_THAT(job.error, Catch::Contains("chunk 1"));

  SECTION("a permanent failure ends the job at once and revokes the other leases") {
    Job j = ChunkedJob();
    REQUIRE(ClaimChunk(j, 0, "a", "X0", kT0, policy).ok());
    REQUIRE(ClaimChunk(j, 1, "b", "X1", kT0, policy).ok());
    StepReport r = ChunkReport("X1", StepEvent::kFailed);
    r.retryable = false;
    REQUIRE(ApplyChunkReport(j, 1, r, kT0 + 1, policy, 0).ok());
    CHECK(j.state == JobState::kFailedPermanent);
    CHECK(j.chunks[0].task.lease.id.empty());
    CHECK(CheckChunkLease(j, 0, "X0", kT0 + 2).code() == absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("an expired chunk lease puts that chunk back; release does not count the attempt") {
  JobPolicy policy;
  Job job = ChunkedJob();
  REQUIRE(ClaimChunk(job, 0, "a", "E0", kT0, policy).ok());
  REQUIRE(ClaimChunk(job, 1, "b", "E1", kT0 + kLeaseMs / 2, policy).ok());
  CHECK_FALSE(IsChunkLeaseExpired(job, 0, kT0 + kLeaseMs - 1));
  CHECK(ExpireChunkLease(job, 0, kT0 + 1, policy).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  REQUIRE(IsChunkLeaseExpired(job, 0, kT0 + kLeaseMs));
  auto note = ExpireChunkLease(job, 0, kT0 + kLeaseMs, policy);
  REQUIRE(note.ok());
  CHECK_THAT(*note, Catch::Contains("chunk 0") && Catch::Contains("others keep theirs"));
  CHECK(job.chunks[0].state == ChunkState::kPending);
  CHECK(job.chunks[0].attempts == 1);
  CHECK(job.chunks[1].state == ChunkState::kRunning);  // untouched
  CHECK(CheckChunkLease(job, 0, "E0", kT0 + kLeaseMs).code() ==
        absl::StatusCode::kFailedPrecondition);

  auto released = ReleaseChunk(job, 1, "E1", "agent stopping", kT0 + kLeaseMs);
  REQUIRE(released.ok());
  CHECK(job.chunks[1].state == ChunkState::kPending);
  CHECK(job.chunks[1].attempts == 0);
  CHECK(ReleaseChunk(job, 1, "E1", "", kT0 + kLeaseMs).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  SECTION("expiry on the last attempt fails the job") {
    Job j = ChunkedJob();
    j.chunks[2].attempts = 2;
    REQUIRE(ClaimChunk(j, 2, "a", "Z", kT0, policy).ok());
    REQUIRE(ExpireChunkLease(j, 2, kT0 + kLeaseMs, policy).ok());
    CHECK(j.state == JobState::kFailedPermanent);
  }
}

TEST_CASE("chunk claims need the chunk phase; revoke and drop") {
  JobPolicy policy;
  Job job = EncodingJob();
  job.chunks.resize(2);
  CHECK_FALSE(InChunkPhase(job));  // the whole-job lease is still held
  CHECK(ClaimChunk(job, 0, "a", "L", kT0, policy).status().code() ==
        absl::StatusCode::kFailedPrecondition);

  Job chunked = ChunkedJob();
  REQUIRE(ClaimChunk(chunked, 0, "a", "R0", kT0, policy).ok());
  RevokeChunkLeases(chunked);
  CHECK(chunked.chunks[0].state == ChunkState::kPending);
  CHECK(chunked.chunks[0].task.lease.id.empty());
  DropChunks(chunked);
  CHECK(chunked.chunks.empty());
  CHECK(chunked.chunk_manifest.empty());
}

}  // namespace
}  // namespace mkvfleet::server
