// JobStore at fleet scale: every statement the hot operations run (claim, heartbeat, report,
// release, log, lease expiry, list by state, agent load) is planned on an index, never a scan of
// a table that grows with the library or a sort of it; heartbeats run no SQL and no fsync;
// renewals live in memory and a restart grants every lease a fresh grace period.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/store/job_store.h"
#include "tests/test_paths.h"

namespace mkvfleet::server {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

EnqueueItem Item(int i) {
  EnqueueItem item;
  item.file.relative_path = absl::StrCat("film-", i, ".mkv");
  item.file.path = "/lib/" + item.file.relative_path;
  item.file.library_root = "/lib";
  item.file.size_bytes = 100 + i;
  item.file.mtime_ms = 5;
  item.output_path = item.file.path + ".out";
  return item;
}

struct Fixture {
  std::string dir = testing::MakeTempDir("store-scale");
  std::string db = dir + "/jobs.db";
  FakeClock clock{kT0};
  std::unique_ptr<JobStore> store;
  std::vector<std::string> statements;

  explicit Fixture(int jobs) {
    Open();
    std::vector<EnqueueItem> items;
    for (int i = 0; i < jobs; ++i) items.push_back(Item(i));
    REQUIRE(store->Enqueue(items, false).ok());
  }
  void Open() {
    store.reset();
    auto s = JobStore::Open(db, JobPolicy{}, &clock, [](const StoreEvent&) {});
    REQUIRE(s.ok());
    store = std::move(*s);
    store->set_statement_observer([this](const std::string& sql) { statements.push_back(sql); });
  }
  ClaimedTask Claim(const std::string& agent) {
    auto c = store->Claim(agent);
    REQUIRE(c.ok());
    REQUIRE(c->has_value());
    return **c;
  }
};

// The plan SQLite chooses for `sql`, one detail line each, from a connection of its own.
std::vector<std::string> PlanOf(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const std::string explain = "EXPLAIN QUERY PLAN " + sql;
  const int rc = sqlite3_prepare_v2(db, explain.c_str(), -1, &stmt, nullptr);
  INFO(sql << ": " << sqlite3_errmsg(db));
  REQUIRE(rc == SQLITE_OK);
  std::vector<std::string> details;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    details.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return details;
}

// A plan line that reads a growing table whole ("SCAN jobs", "SCAN t USING INDEX ...": every
// row) or sorts rows in a temporary b-tree. The agents table and one job's rows are small.
bool Unbounded(const std::string& detail) {
  if (absl::StrContains(detail, "TEMP B-TREE")) return true;
  if (!absl::StartsWith(detail, "SCAN ")) return false;
  return !absl::StartsWith(detail, "SCAN a") && !absl::StartsWith(detail, "SCAN agents") &&
         !absl::StartsWith(detail, "SCAN CONSTANT ROW");
}

TEST_CASE("every statement of the hot operations is planned on an index") {
  Fixture f(3000);
  AgentCapabilities shared;
  shared.shared_work_dir = "/shared";
  REQUIRE(f.store->Register("plain", "1", {}).ok());
  REQUIRE(f.store->Register("sharing", "1", shared).ok());
  f.statements.clear();

  ClaimedTask plain = f.Claim("plain");
  ClaimedTask sharing = f.Claim("sharing");
  REQUIRE(f.store->Heartbeat("plain", {{plain.job.task.lease.id, plain.job.task.id, {}}}, 0).ok());
  StepReport started;
  started.lease_id = plain.job.task.lease.id;
  started.step_name = "probe";
  REQUIRE(f.store->ReportStep(plain.job.task.id, started).ok());
  StepReport finished = started;
  finished.event = StepEvent::kFinished;
  REQUIRE(f.store->ReportStep(plain.job.task.id, finished).ok());
  REQUIRE(f.store->AppendLog(plain.job.task.id, plain.job.task.lease.id,
                             {{0, "", "info", "ffmpeg started"}})
              .ok());
  REQUIRE(f.store->Release(sharing.job.task.id, sharing.job.task.lease.id, "stopping").ok());
  f.clock.Advance(absl::ToInt64Milliseconds(JobPolicy{}.lease_duration) + 1);
  REQUIRE(f.store->ExpireLeases().ok());
  REQUIRE(f.store->MarkStaleAgents().ok());
  JobFilter pending;
  pending.states = {JobState::kPending};
  pending.limit = 50;
  REQUIRE(f.store->ListJobs(pending).ok());
  REQUIRE(f.store->ListAgents().ok());
  REQUIRE(f.store->GetJob(plain.job.id).ok());
  REQUIRE(f.store->CountJobsByState().ok());

  const std::set<std::string> distinct(f.statements.begin(), f.statements.end());
  REQUIRE(distinct.size() >= 10);
  for (const std::string& sql : distinct) {
    if (!absl::StartsWith(sql, "SELECT") && !absl::StartsWith(sql, "UPDATE") &&
        !absl::StartsWith(sql, "DELETE")) {
      continue;  // INSERT plans nothing
    }
    // Counting every job per state is a scan of an index by nature (dashboard, metrics).
    if (absl::StrContains(sql, "GROUP BY state")) continue;
    for (const std::string& detail : PlanOf(f.db, sql)) {
      INFO(sql << "\n  plan: " << detail);
      CHECK_FALSE(Unbounded(detail));
    }
  }
}

TEST_CASE("heartbeats run no SQL and wait for no fsync; renewals show in reads") {
  Fixture f(10);
  REQUIRE(f.store->Register("a", "1", {}).ok());
  ClaimedTask t = f.Claim("a");
  const uint64_t syncs = f.store->durable_syncs();
  f.statements.clear();
  f.clock.Advance(20'000);
  LeaseRenewal renewal{t.job.task.lease.id, t.job.task.id, Progress{42, 100, 3.5, 1000}};
  auto hb = f.store->Heartbeat("a", {renewal}, 123);
  REQUIRE(hb.ok());
  CHECK(hb->revoked_lease_ids.empty());
  const int64_t renewed = hb->renewed_deadlines_ms.at(t.job.task.lease.id);
  CHECK(renewed > t.job.task.lease.deadline_ms);
  for (const std::string& sql : f.statements) {
    INFO(sql);
    CHECK_FALSE(absl::StartsWith(sql, "INSERT"));
    CHECK_FALSE(absl::StartsWith(sql, "UPDATE"));
    CHECK_FALSE(absl::StartsWith(sql, "DELETE"));
  }
  CHECK(f.store->durable_syncs() == syncs);

  auto job = f.store->GetJob(t.job.id);
  REQUIRE(job.ok());
  CHECK(job->task.lease.deadline_ms == renewed);
  CHECK(job->progress.frames_done == 42);
  auto agents = f.store->ListAgents();
  REQUIRE(agents.ok());
  REQUIRE(agents->size() == 1);
  CHECK(agents->at(0).current_job_id == t.job.id);
  CHECK(agents->at(0).capabilities.free_temp_bytes == 123);
  CHECK(agents->at(0).progress.frames_done == 42);

  SECTION("a stale lease is revoked, in memory too") {
    auto stale = f.store->Heartbeat("a", {{"not-the-lease", t.job.task.id, {}}}, 0);
    REQUIRE(stale.ok());
    CHECK(stale->revoked_lease_ids == std::vector<std::string>{"not-the-lease"});
  }
  SECTION("a renewal keeps the lease past its first deadline") {
    f.clock.Advance(absl::ToInt64Milliseconds(JobPolicy{}.lease_duration) - 20'000 + 1);
    REQUIRE(f.store->ExpireLeases()->empty());
    f.clock.Advance(renewed - f.clock.NowMs());
    REQUIRE(f.store->ExpireLeases()->size() == 1);
  }
  SECTION("after a restart the lease gets a full grace period from the restart") {
    f.Open();  // the renewal was never written: the table has the claim's deadline
    f.clock.Advance(absl::ToInt64Milliseconds(JobPolicy{}.lease_duration));
    REQUIRE(f.store->GraceLeasesAfterRestart().ok());
    REQUIRE(f.store->ExpireLeases()->empty());
    auto after = f.store->GetJob(t.job.id);
    REQUIRE(after.ok());
    CHECK(after->task.lease.deadline_ms ==
          f.clock.NowMs() + absl::ToInt64Milliseconds(JobPolicy{}.lease_duration));
    auto renewed_again = f.store->Heartbeat("a", {renewal}, 0);
    REQUIRE(renewed_again.ok());
    CHECK(renewed_again->revoked_lease_ids.empty());
  }
}

TEST_CASE("claims, reports and releases answer only after a durable commit") {
  Fixture f(5);
  REQUIRE(f.store->Register("a", "1", {}).ok());
  uint64_t syncs = f.store->durable_syncs();
  ClaimedTask t = f.Claim("a");
  CHECK(f.store->durable_syncs() > syncs);
  syncs = f.store->durable_syncs();
  StepReport started;
  started.lease_id = t.job.task.lease.id;
  started.step_name = "probe";
  REQUIRE(f.store->ReportStep(t.job.task.id, started).ok());
  CHECK(f.store->durable_syncs() > syncs);
  syncs = f.store->durable_syncs();
  // A claim that finds nothing for a drained or idle agent writes nothing.
  REQUIRE(f.store->Drain("a", true).ok());
  syncs = f.store->durable_syncs();
  CHECK_FALSE(f.store->Claim("a").ok());
  CHECK(f.store->durable_syncs() == syncs);
}

}  // namespace
}  // namespace mkvfleet::server
