// JobStore with chunked jobs on a real SQLite file: the CHUNKED report creates chunk tasks, agents
// with a shared work dir claim them under their own leases (the same job first), heartbeats renew
// them, an expired chunk lease puts that chunk alone back, stale reports are refused, everything
// survives a reopen, the last chunk makes the job claimable for assembly (not by agents without a
// shared dir), a refused assembly reopens chunks, and cancel revokes every chunk lease.
#include <catch2/catch.hpp>

#include "server/jobs/chunk_rules.h"
#include "server/store/job_store.h"
#include "tests/test_paths.h"

namespace mkvfleet::server {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

AgentCapabilities Shared(bool shared) {
  AgentCapabilities c;
  if (shared) c.shared_work_dir = "/shared";
  return c;
}

StepReport Report(const std::string& lease, int index, const std::string& name, StepEvent event) {
  StepReport r;
  r.lease_id = lease;
  r.step_index = index;
  r.step_name = name;
  r.event = event;
  return r;
}

struct ChunkFixture {
  std::string dir = testing::MakeTempDir("store-chunks");
  FakeClock clock{kT0};
  std::unique_ptr<JobStore> store;
  int64_t job_id = 0;

  ChunkFixture() {
    Reopen();
    EnqueueItem item;
    item.file.path = "/lib/film.mkv";
    item.file.library_root = "/lib";
    item.file.relative_path = "film.mkv";
    item.file.size_bytes = 100;
    item.file.mtime_ms = 5;
    item.output_path = "/lib/film.DV81.mkv";
    item.chunks_requested = 3;
    auto r = store->Enqueue({item}, false);
    REQUIRE(r.ok());
    job_id = r->at(0).job_id;
    REQUIRE(store->Register("prep", "", Shared(true)).ok());
    REQUIRE(store->Register("a1", "", Shared(true)).ok());
    REQUIRE(store->Register("a2", "", Shared(true)).ok());
    REQUIRE(store->Register("local", "", Shared(false)).ok());
  }
  void Reopen() {
    store.reset();
    JobPolicy policy;
    policy.chunking.min_seconds = 30;
    auto s = JobStore::Open(dir + "/jobs.db", policy, &clock, nullptr);
    REQUIRE(s.ok());
    store = std::move(*s);
  }
  ClaimedTask Claim(const std::string& agent) {
    auto c = store->Claim(agent);
    REQUIRE(c.ok());
    REQUIRE(c->has_value());
    return **c;
  }
  bool ClaimsNothing(const std::string& agent) {
    auto c = store->Claim(agent);
    REQUIRE(c.ok());
    return !c->has_value();
  }
  // "prep" runs probe, plan, rpu and splits the encode into 3 chunks of 10, 20 and 30 frames.
  void Prepare() {
    ClaimedTask t = Claim("prep");
    CHECK(t.chunk_index == -1);
    CHECK(t.job.chunks_requested == 3);
    CHECK(t.chunk_agents == 3);  // prep, a1, a2: "local" has no shared work dir
    CHECK(t.chunking.min_seconds == 30);
    const std::string lease = t.job.task.lease.id;
    int index = 0;
    for (const char* name : {"probe", "plan", "rpu"}) {
      REQUIRE(store->ReportStep(t.job.task.id, Report(lease, index, name, StepEvent::kStarted))
                  .ok());
      REQUIRE(store->ReportStep(t.job.task.id, Report(lease, index, name, StepEvent::kFinished))
                  .ok());
      ++index;
    }
    REQUIRE(store->ReportStep(t.job.task.id, Report(lease, 3, "encode", StepEvent::kStarted)).ok());
    StepReport chunked = Report(lease, 3, "encode", StepEvent::kFinished);
    chunked.outcome = TaskOutcome::kChunked;
    chunked.chunk_manifest = "/shared/mkvfleet-chunks/job-1/manifest.json";
    const int64_t ranges[][2] = {{0, 10}, {10, 20}, {30, 30}};
    for (int i = 0; i < 3; ++i) {
      Chunk c;
      c.index = i;
      c.first_frame = ranges[i][0];
      c.frames = ranges[i][1];
      chunked.chunks.push_back(c);
    }
    auto after = store->ReportStep(t.job.task.id, chunked);
    REQUIRE(after.ok());
    CHECK(after->state == JobState::kRunning);
    CHECK(after->chunks.size() == 3);
    // The prepare task is over: its lease is gone.
    CHECK(store->ReportStep(t.job.task.id, Report(lease, 4, "mux", StepEvent::kStarted))
              .status()
              .code() == absl::StatusCode::kFailedPrecondition);
  }
  absl::StatusOr<Job> Finish(const ClaimedTask& t, const std::string& ps = "ps1") {
    const Chunk& c = t.job.chunks[t.chunk_index];
    StepReport r = Report(c.task.lease.id, 3, "encode", StepEvent::kFinished);
    r.checkpoint.facts[kFactParameterSetsSha256] = ps;
    r.checkpoint.facts["sha256"] = "abc";
    return store->ReportStep(c.task.id, r);
  }
};

TEST_CASE("chunk tasks are claimed, renewed, expired and finished one by one") {
  ChunkFixture f;
  f.Prepare();
  CHECK(f.ClaimsNothing("local"));  // no shared work dir: no chunks

  ClaimedTask c0 = f.Claim("a1");
  ClaimedTask c1 = f.Claim("a2");
  REQUIRE(c0.chunk_index == 0);
  REQUIRE(c1.chunk_index == 1);
  CHECK(c0.job.chunk_manifest == "/shared/mkvfleet-chunks/job-1/manifest.json");
  CHECK(c0.job.chunks[0].task.id != c1.job.chunks[1].task.id);
  CHECK(c0.job.chunks[0].state == ChunkState::kRunning);

  // Heartbeats renew a chunk lease and feed the job's progress.
  f.clock.Advance(30'000);
  LeaseRenewal renew{c1.job.chunks[1].task.lease.id, c1.job.chunks[1].task.id,
                     Progress{10, 20, 4.0, 2500}};
  auto hb = f.store->Heartbeat("a2", {renew}, 0);
  REQUIRE(hb.ok());
  CHECK(hb->revoked_lease_ids.empty());
  CHECK(hb->renewed_deadlines_ms.at(renew.lease_id) == f.clock.NowMs() + 60'000);
  auto job = f.store->GetJob(f.job_id);
  REQUIRE(job.ok());
  CHECK(job->progress.frames_done == 10);
  CHECK(job->progress.frames_total == 60);
  // Someone else's chunk lease is not renewed for a1.
  auto foreign = f.store->Heartbeat("a1", {renew}, 0);
  REQUIRE(foreign.ok());
  CHECK(foreign->revoked_lease_ids == std::vector<std::string>{renew.lease_id});

  // a1 goes silent: its chunk alone goes back to pending; a2's is untouched.
  f.clock.Advance(40'000);
  auto expired = f.store->ExpireLeases();
  REQUIRE(expired.ok());
  REQUIRE(expired->size() == 1);
  CHECK(expired->at(0).chunks[0].state == ChunkState::kPending);
  CHECK(expired->at(0).chunks[1].state == ChunkState::kRunning);
  CHECK(f.Finish(c0).status().code() == absl::StatusCode::kFailedPrecondition);  // late report

  // Durable: a reopened store has the chunks as they were.
  f.Reopen();
  job = f.store->GetJob(f.job_id);
  REQUIRE(job.ok());
  REQUIRE(job->chunks.size() == 3);
  CHECK(job->chunks[0].attempts == 1);
  CHECK(job->chunks[1].agent == "a2");
  CHECK(job->chunks[1].progress.frames_done == 10);

  // a2 finishes chunk 1 and is offered the next chunk of the same job.
  REQUIRE(f.Finish(c1).ok());
  ClaimedTask c0b = f.Claim("a2");
  CHECK(c0b.chunk_index == 0);
  CHECK(c0b.job.chunks[0].attempts == 2);
  ClaimedTask c2 = f.Claim("a1");
  CHECK(c2.chunk_index == 2);
  CHECK(f.ClaimsNothing("prep"));  // every chunk is out, the job holds no whole-job work

  // A chunk with other parameter sets is refused and goes back alone.
  auto odd = f.Finish(c2, "other");
  REQUIRE(odd.ok());
  CHECK(odd->chunks[2].state == ChunkState::kFailed);
  REQUIRE(f.Finish(c0b).ok());
  f.clock.Advance(3'600'000);  // past any retry backoff
  ClaimedTask c2b = f.Claim("a1");
  CHECK(c2b.chunk_index == 2);
  auto done = f.Finish(c2b);
  REQUIRE(done.ok());
  CHECK(done->state == JobState::kPending);
  CHECK(done->progress.frames_done == 60);

  // Assembly needs the shared dir: "local" gets nothing, "prep" gets the job at the encode step.
  CHECK(f.ClaimsNothing("local"));
  ClaimedTask assemble = f.Claim("prep");
  CHECK(assemble.chunk_index == -1);
  CHECK(assemble.resume.from_step == 3);
  REQUIRE(assemble.job.chunks.size() == 3);
  for (const Chunk& c : assemble.job.chunks) {
    CHECK(c.state == ChunkState::kDone);
    CHECK(c.checkpoint.facts.at("sha256") == "abc");
  }

  SECTION("assembly refusing a chunk file reopens that chunk") {
    StepReport redo = Report(assemble.job.task.lease.id, 3, "encode", StepEvent::kFailed);
    redo.error = "chunk-0001.hevc: sha256 differs";
    redo.redo_chunks = {1};
    auto reopened = f.store->ReportStep(assemble.job.task.id, redo);
    REQUIRE(reopened.ok());
    CHECK(reopened->state == JobState::kRunning);
    CHECK(reopened->chunks[1].state == ChunkState::kPending);
    CHECK(reopened->chunks[0].state == ChunkState::kDone);
    ClaimedTask again = f.Claim("a1");
    CHECK(again.chunk_index == 1);

    auto cancelled = f.store->Cancel(f.job_id);
    REQUIRE(cancelled.ok());
    CHECK(cancelled->chunks[1].task.lease.id.empty());
    CHECK(f.Finish(again).status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(f.ClaimsNothing("a2"));
  }
  SECTION("a reset to the encode step forgets the chunks") {
    auto reset = f.store->Reset(f.job_id, 3);
    REQUIRE(reset.ok());
    CHECK(reset->chunks.empty());
    CHECK(reset->chunk_manifest.empty());
    f.Reopen();
    CHECK(f.store->GetJob(f.job_id)->chunks.empty());
  }
}

}  // namespace
}  // namespace mkvfleet::server
