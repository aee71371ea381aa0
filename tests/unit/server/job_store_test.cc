// JobStore on a real SQLite file: migrations, every named operation's effect and refusal,
// durability across reopen, atomic claims across connections, and committed-only events.
#include "server/store/job_store.h"

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "server/store/job_store_schema.h"
#include "tests/test_paths.h"

namespace mkvfleet::server {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

EnqueueItem Item(const std::string& name, int64_t size = 100, int64_t mtime = 5) {
  EnqueueItem item;
  item.file.path = "/lib/" + name;
  item.file.library_root = "/lib";
  item.file.relative_path = name;
  item.file.size_bytes = size;
  item.file.mtime_ms = mtime;
  item.output_path = "/lib/" + name + ".out";
  return item;
}

struct Fixture {
  std::string dir = testing::MakeTempDir("store-test");
  std::string db = dir + "/jobs.db";
  FakeClock clock{kT0};
  std::vector<StoreEvent> events;
  std::unique_ptr<JobStore> store;

  Fixture() { Reopen(); }
  void Reopen() {
    store.reset();
    auto s = JobStore::Open(db, JobPolicy{}, &clock,
                            [this](const StoreEvent& e) { events.push_back(e); });
    REQUIRE(s.ok());
    store = std::move(*s);
  }
  int64_t Add(const std::string& name) {
    auto r = store->Enqueue({Item(name)}, false);
    REQUIRE(r.ok());
    return r->at(0).job_id;
  }
  ClaimedTask ClaimOrFail(const std::string& agent) {
    auto c = store->Claim(agent);
    REQUIRE(c.ok());
    REQUIRE(c->has_value());
    return **c;
  }
};

TEST_CASE("migrations on a fresh and on an existing database") {
  Fixture f;
  CHECK(f.store->schema_version() == LatestSchemaVersion());
  const int64_t id = f.Add("a.mkv");
  f.Reopen();
  CHECK(f.store->schema_version() == LatestSchemaVersion());
  auto job = f.store->GetJob(id);
  REQUIRE(job.ok());
  CHECK(job->path == "/lib/a.mkv");
  CHECK(job->state == JobState::kPending);
  CHECK(job->max_attempts == kDefaultMaxAttempts);
}

TEST_CASE("a job's --repair-rpus is stored and survives a reopen") {
  Fixture f;
  EnqueueItem item = Item("repair.mkv");
  item.repair_rpus = true;
  auto r = f.store->Enqueue({item}, false);
  REQUIRE(r.ok());
  const int64_t repair = r->at(0).job_id;
  const int64_t plain = f.Add("plain.mkv");
  f.Reopen();
  CHECK(f.store->GetJob(repair)->repair_rpus);
  CHECK_FALSE(f.store->GetJob(plain)->repair_rpus);
}

TEST_CASE("open errors are clear") {
  const std::string dir = testing::MakeTempDir("store-open");
  FakeClock clock(kT0);
  SECTION("a file that is not a database") {
    const std::string path = dir + "/garbage.db";
    std::ofstream(path) << std::string(4096, 'x');
    auto s = JobStore::Open(path, JobPolicy{}, &clock, nullptr);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == absl::StatusCode::kDataLoss);
    CHECK_THAT(std::string(s.status().message()), Catch::Contains(path));
  }
  SECTION("a directory in the way") {
    std::filesystem::create_directories(dir + "/isdir.db");
    auto s = JobStore::Open(dir + "/isdir.db", JobPolicy{}, &clock, nullptr);
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(std::string(s.status().message()), Catch::Contains("isdir.db"));
  }
  SECTION("a missing state dir") {
    auto s = JobStore::Open(dir + "/missing/jobs.db", JobPolicy{}, &clock, nullptr);
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(std::string(s.status().message()), Catch::Contains("missing/jobs.db"));
  }
  SECTION("a database from a newer coordinator") {
    const std::string path = dir + "/newer.db";
    { REQUIRE(JobStore::Open(path, JobPolicy{}, &clock, nullptr).ok()); }
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, "UPDATE schema_version SET version = 999", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    auto s = JobStore::Open(path, JobPolicy{}, &clock, nullptr);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(s.status().message()), Catch::Contains("999"));
  }
}

TEST_CASE("enqueue dedups by path, size and mtime") {
  Fixture f;
  auto first = f.store->Enqueue({Item("a.mkv"), Item("b.mkv")}, false);
  REQUIRE(first.ok());
  CHECK(first->at(0).outcome == EnqueueOutcome::kCreated);
  CHECK(first->at(1).outcome == EnqueueOutcome::kCreated);
  const int64_t a = first->at(0).job_id;

  auto dup = f.store->Enqueue({Item("a.mkv")}, false);
  REQUIRE(dup.ok());
  CHECK(dup->at(0).outcome == EnqueueOutcome::kDuplicate);
  CHECK(dup->at(0).job_id == a);

  SECTION("a dry run reports and writes nothing") {
    auto dry = f.store->Enqueue({Item("c.mkv"), Item("a.mkv", 999)}, true);
    REQUIRE(dry.ok());
    CHECK(dry->at(0).outcome == EnqueueOutcome::kWouldCreate);
    CHECK(dry->at(1).outcome == EnqueueOutcome::kWouldCreate);
    CHECK(f.store->ListJobs({})->jobs.size() == 2);
  }
  SECTION("a changed file is queued again and supersedes the unstarted job") {
    auto changed = f.store->Enqueue({Item("a.mkv", 101)}, false);
    REQUIRE(changed.ok());
    CHECK(changed->at(0).outcome == EnqueueOutcome::kRequeued);
    CHECK(changed->at(0).job_id != a);
    CHECK(f.store->GetJob(a)->state == JobState::kCancelled);
    CHECK_THAT(f.store->GetJob(a)->error, Catch::Contains("superseded"));
  }
  SECTION("list filters") {
    JobFilter filter;
    filter.path_contains = "b.mkv";
    CHECK(f.store->ListJobs(filter)->jobs.size() == 1);
    filter = {};
    filter.states = {JobState::kRunning};
    CHECK(f.store->ListJobs(filter)->jobs.empty());
    filter = {};
    filter.limit = 1;
    CHECK(f.store->ListJobs(filter)->jobs.size() == 1);
    CHECK(f.store->CountJobsByState()->at("pending") == 2);
  }
}

TEST_CASE("claims are exclusive, durable and refused for unknown or drained agents") {
  Fixture f;
  const int64_t id = f.Add("a.mkv");
  CHECK(f.store->Claim("ghost").status().code() == absl::StatusCode::kNotFound);
  REQUIRE(f.store->Register("a1", "0.1", {}).ok());
  REQUIRE(f.store->Register("a2", "0.1", {}).ok());

  ClaimedTask t = f.ClaimOrFail("a1");
  CHECK(t.job.id == id);
  CHECK(t.job.state == JobState::kRunning);
  CHECK_FALSE(t.job.task.lease.id.empty());
  CHECK(t.job.task.lease.deadline_ms == kT0 + 60'000);
  CHECK(t.resume.from_step == 0);

  auto second = f.store->Claim("a2");
  REQUIRE(second.ok());
  CHECK_FALSE(second->has_value());

  f.Reopen();
  auto job = f.store->GetJob(id);
  REQUIRE(job.ok());
  CHECK(job->state == JobState::kRunning);
  CHECK(job->task.lease.id == t.job.task.lease.id);
  CHECK_FALSE(f.store->Claim("a2")->has_value());
  auto agents = f.store->ListAgents();
  REQUIRE(agents.ok());
  CHECK(agents->at(0).current_job_id == id);
  CHECK(StatusOf(agents->at(0)) == AgentStatus::kBusy);

  REQUIRE(f.store->Drain("a2", true).ok());
  CHECK(f.store->Claim("a2").status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(f.store->Drain("ghost", true).status().code() == absl::StatusCode::kNotFound);
  REQUIRE(f.store->Register("a2", "0.2", {}).ok());  // re-register keeps the drain
  CHECK(f.store->Claim("a2").status().code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(f.store->Drain("a2", false).ok());
  CHECK(f.store->Claim("a2").ok());
}

TEST_CASE("concurrent claims over two connections never double-assign") {
  Fixture f;
  for (int i = 0; i < 20; ++i) f.Add("f" + std::to_string(i) + ".mkv");
  auto other = JobStore::Open(f.db, JobPolicy{}, &f.clock, nullptr);
  REQUIRE(other.ok());
  REQUIRE(f.store->Register("a1", "", {}).ok());
  REQUIRE((*other)->Register("a2", "", {}).ok());
  std::vector<int64_t> got1, got2;
  auto run = [](JobStore* s, const std::string& agent, std::vector<int64_t>* got) {
    while (true) {
      auto c = s->Claim(agent);
      if (!c.ok() || !c->has_value()) return;
      got->push_back((*c)->job.id);
    }
  };
  std::thread t1(run, f.store.get(), "a1", &got1);
  std::thread t2(run, other->get(), "a2", &got2);
  t1.join();
  t2.join();
  std::set<int64_t> all(got1.begin(), got1.end());
  all.insert(got2.begin(), got2.end());
  CHECK(got1.size() + got2.size() == 20);
  CHECK(all.size() == 20);
}

TEST_CASE("totals: lease expiries, retries and reported bytes count committed changes only") {
  Fixture f;
  f.Add("a.mkv");
  REQUIRE(f.store->Register("a1", "", {}).ok());
  ClaimedTask t = f.ClaimOrFail("a1");
  f.clock.Advance(60'000);
  REQUIRE(f.store->ExpireLeases()->size() == 1);
  CHECK(f.store->Totals().lease_expiries == 1);
  REQUIRE(f.store->ExpireLeases()->empty());
  CHECK(f.store->Totals().lease_expiries == 1);

  ClaimedTask t2 = f.ClaimOrFail("a1");
  StepReport fail;
  fail.lease_id = t2.job.task.lease.id;
  fail.step_name = "probe";
  fail.event = StepEvent::kFailed;
  fail.error = "ffprobe crashed";
  fail.retryable = true;
  fail.bytes_read = 1000;
  fail.bytes_written = 10;
  REQUIRE(f.store->ReportStep(t2.job.task.id, fail)->state == JobState::kFailed);
  CHECK(f.store->Totals().retries == 1);
  CHECK(f.store->Totals().bytes_read == 1000);
  CHECK(f.store->Totals().bytes_written == 10);
  // A refused (stale) report counts nothing.
  fail.lease_id = t.job.task.lease.id;
  CHECK_FALSE(f.store->ReportStep(t.job.task.id, fail).ok());
  CHECK(f.store->Totals().bytes_read == 1000);
  CHECK(f.store->Totals().retries == 1);
}

TEST_CASE("reports, heartbeats and logs follow the lease") {
  Fixture f;
  const int64_t id = f.Add("a.mkv");
  REQUIRE(f.store->Register("a1", "", {}).ok());
  REQUIRE(f.store->Register("a2", "", {}).ok());
  ClaimedTask t = f.ClaimOrFail("a1");
  const std::string lease = t.job.task.lease.id;
  const int64_t task = t.job.task.id;

  StepReport fin;
  fin.lease_id = lease;
  fin.step_index = 0;
  fin.step_name = "probe";
  fin.event = StepEvent::kFinished;
  fin.checkpoint.facts["codec"] = "hevc";
  fin.checkpoint.artifacts.push_back({"rpu", "/w/rpu", ArtifactLocation::kAgentLocal, "a1", 3});
  f.clock.Advance(1000);
  auto after = f.store->ReportStep(task, fin);
  REQUIRE(after.ok());
  CHECK(after->steps.at(0).state == StepState::kDone);
  REQUIRE(f.store->AppendLog(task, lease, {{0, "x", "info", "ffmpeg started"}}).ok());

  SECTION("checkpoints survive a reopen") {
    f.Reopen();
    auto job = f.store->GetJob(id);
    REQUIRE(job.ok());
    REQUIRE(job->steps.size() == 1);
    CHECK(job->steps[0].checkpoint.facts.at("codec") == "hevc");
    CHECK(job->steps[0].checkpoint.artifacts.at(0).agent == "a1");
    auto log = f.store->GetJobLog(id, 0);
    REQUIRE(log.ok());
    CHECK(log->back().text == "ffmpeg started");
    CHECK(log->back().source == "a1");  // taken from the lease, not from the agent's claim
    CHECK(f.store->GetJobLog(id, 1)->size() == 1);
  }
  SECTION("heartbeat renews live leases and revokes others") {
    f.clock.Advance(30'000);
    auto hb = f.store->Heartbeat("a1", {{lease, task, {}}, {"bogus", task, {}}}, 1234);
    REQUIRE(hb.ok());
    CHECK(hb->renewed_deadlines_ms.at(lease) == f.clock.NowMs() + 60'000);
    CHECK(hb->revoked_lease_ids == std::vector<std::string>{"bogus"});
    auto by_other = f.store->Heartbeat("a2", {{lease, task, {}}}, 0);
    REQUIRE(by_other.ok());
    CHECK(by_other->revoked_lease_ids.size() == 1);
    CHECK(f.store->Heartbeat("ghost", {}, 0).status().code() == absl::StatusCode::kNotFound);
  }
  SECTION("an expired lease returns the job; the late agent is refused; the next agent resumes") {
    f.clock.Advance(60'000);
    auto expired = f.store->ExpireLeases();
    REQUIRE(expired.ok());
    REQUIRE(expired->size() == 1);
    CHECK(f.store->GetJob(id)->state == JobState::kPending);
    ClaimedTask t2 = f.ClaimOrFail("a2");
    CHECK(t2.resume.from_step == 0);  // a1's rpu is local to a1
    CHECK_THAT(t2.resume.reason, Catch::Contains("local to agent a1"));
    CHECK(t2.job.steps.at(0).state == StepState::kPending);  // will be redone by a2
    fin.step_index = 1;
    CHECK(f.store->ReportStep(task, fin).status().code() ==
          absl::StatusCode::kFailedPrecondition);
    CHECK(f.store->AppendLog(task, lease, {{0, "", "info", "late"}}).code() ==
          absl::StatusCode::kFailedPrecondition);
    CHECK(f.store->Release(task, lease, "late").status().code() ==
          absl::StatusCode::kFailedPrecondition);
    auto hb = f.store->Heartbeat("a1", {{lease, task, {}}}, 0);
    REQUIRE(hb.ok());
    CHECK(hb->revoked_lease_ids.size() == 1);
    CHECK(f.store->GetJob(id)->task.lease.id == t2.job.task.lease.id);
  }
  SECTION("the same agent resumes after its last finished step") {
    REQUIRE(f.store->Release(task, lease, "SIGTERM").ok());
    CHECK(f.store->GetJob(id)->attempts == 0);
    ClaimedTask again = f.ClaimOrFail("a1");
    CHECK(again.resume.from_step == 1);
  }
  SECTION("a file changed while its job runs is refused until that job ends") {
    auto changed = f.store->Enqueue({Item("a.mkv", 101)}, false);
    REQUIRE(changed.ok());
    CHECK(changed->at(0).outcome == EnqueueOutcome::kRefused);
    CHECK(changed->at(0).job_id == id);
    CHECK_THAT(changed->at(0).reason, Catch::Contains("still runs"));
    CHECK(f.store->ListJobs({})->jobs.size() == 1);  // no second job writing the same output
    CHECK(f.store->GetJob(id)->state == JobState::kRunning);  // the running job is untouched
    auto dry = f.store->Enqueue({Item("a.mkv", 101)}, true);
    REQUIRE(dry.ok());
    CHECK(dry->at(0).outcome == EnqueueOutcome::kRefused);
    StepReport done = fin;
    done.step_index = 1;
    done.step_name = "publish";
    done.outcome = TaskOutcome::kCompleted;
    done.output_path = "/lib/a.DV81.mkv";
    REQUIRE(f.store->ReportStep(task, done).ok());
    auto later = f.store->Enqueue({Item("a.mkv", 101)}, false);
    REQUIRE(later.ok());
    CHECK(later->at(0).outcome == EnqueueOutcome::kRequeued);
    CHECK(f.store->GetJob(id)->state == JobState::kCompleted);  // its result stays
  }
  SECTION("completion publishes the output") {
    StepReport done = fin;
    done.step_index = 1;
    done.step_name = "publish";
    done.outcome = TaskOutcome::kCompleted;
    done.output_path = "/lib/a.DV81.mkv";
    auto job = f.store->ReportStep(task, done);
    REQUIRE(job.ok());
    CHECK(job->state == JobState::kCompleted);
    f.Reopen();
    CHECK(f.store->GetJob(id)->output == "/lib/a.DV81.mkv");
    CHECK(f.store->Cancel(id).status().code() == absl::StatusCode::kFailedPrecondition);
    auto reset = f.store->Reset(id, 1);
    REQUIRE(reset.ok());
    CHECK(reset->state == JobState::kPending);
    CHECK(reset->steps.size() == 1);
  }
  SECTION("unknown tasks and jobs") {
    CHECK(f.store->ReportStep(999, fin).status().code() == absl::StatusCode::kNotFound);
    CHECK(f.store->GetJob(999).status().code() == absl::StatusCode::kNotFound);
    CHECK(f.store->GetJobLog(999, 0).status().code() == absl::StatusCode::kNotFound);
    CHECK(f.store->Reset(999, 0).status().code() == absl::StatusCode::kNotFound);
    CHECK(f.store->Cancel(999).status().code() == absl::StatusCode::kNotFound);
  }
}

TEST_CASE("agents go stale without heartbeats; restart grace extends leases") {
  Fixture f;
  f.Add("a.mkv");
  REQUIRE(f.store->Register("a1", "", {}).ok());
  ClaimedTask t = f.ClaimOrFail("a1");
  f.clock.Advance(59'999);
  CHECK(f.store->MarkStaleAgents()->empty());
  f.clock.Advance(1);
  auto stale = f.store->MarkStaleAgents();
  REQUIRE(stale.ok());
  REQUIRE(stale->size() == 1);
  CHECK(StatusOf(f.store->ListAgents()->at(0)) == AgentStatus::kStale);
  CHECK(f.store->MarkStaleAgents()->empty());  // only newly stale ones are reported

  auto extended = f.store->GraceLeasesAfterRestart();
  REQUIRE(extended.ok());
  CHECK(*extended == 1);
  CHECK(f.store->GetJob(t.job.id)->task.lease.deadline_ms == f.clock.NowMs() + 60'000);
  CHECK(f.store->ExpireLeases()->empty());
  auto hb = f.store->Heartbeat("a1", {{t.job.task.lease.id, t.job.task.id, {}}}, 0);
  REQUIRE(hb.ok());
  CHECK(hb->revoked_lease_ids.empty());
  CHECK(StatusOf(f.store->ListAgents()->at(0)) == AgentStatus::kBusy);
}

TEST_CASE("events are sent only for committed changes, in order") {
  Fixture f;
  const int64_t id = f.Add("a.mkv");
  REQUIRE_FALSE(f.events.empty());
  CHECK(f.events.back().kind == StoreEvent::Kind::kJobChanged);
  CHECK(f.events.back().job.id == id);
  f.events.clear();
  CHECK_FALSE(f.store->Reset(id, 5).ok());
  CHECK(f.store->Cancel(999).status().code() == absl::StatusCode::kNotFound);
  CHECK(f.events.empty());
  REQUIRE(f.store->Cancel(id).ok());
  REQUIRE(f.events.size() == 2);
  CHECK(f.events[0].kind == StoreEvent::Kind::kLog);
  CHECK(f.events[1].kind == StoreEvent::Kind::kJobChanged);
  CHECK(f.events[1].job.state == JobState::kCancelled);
}

}  // namespace
}  // namespace mkvfleet::server
