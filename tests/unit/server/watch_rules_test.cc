// The pure parts of watch folders: the settle rule (a file is handed over once, only after its
// size and mtime held still for the settle time) and the "looks unmounted" rule; plus a full scan
// of a real root without its marker file, which must fail naming the root and enqueue nothing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "server/store/job_store.h"
#include "server/library/library_scan.h"
#include "server/library/mount_check.h"
#include "server/library/settle_tracker.h"
#include "tests/test_paths.h"

namespace mkvfleet::server {
namespace {

constexpr int64_t kSettle = 10'000;

FileObservation Obs(const std::string& path, int64_t size, int64_t mtime = 1) {
  return FileObservation{path, size, mtime};
}

TEST_CASE("settle: a growing file is never due; a still one is handed over once") {
  SettleTracker t(kSettle);
  CHECK_FALSE(t.NextDueMs().has_value());
  t.Observe(Obs("/lib/a.mkv", 100), 0);
  CHECK(t.NextDueMs() == kSettle);
  CHECK(t.Due(kSettle - 1).empty());
  // It grew before its settle time ran out: the clock restarts.
  t.Observe(Obs("/lib/a.mkv", 200, 2), 5'000);
  CHECK(t.Due(kSettle).empty());
  CHECK(t.Due(15'000) == std::vector<std::string>{"/lib/a.mkv"});
  // Due, but the fresh stat shows it still growing: not ready, clock restarts.
  CHECK_FALSE(t.Confirm(Obs("/lib/a.mkv", 300, 3), 15'000));
  CHECK(t.Due(20'000).empty());
  // The same sighting again does not restart the clock.
  t.Observe(Obs("/lib/a.mkv", 300, 3), 20'000);
  CHECK(t.Due(25'000) == std::vector<std::string>{"/lib/a.mkv"});
  CHECK(t.Confirm(Obs("/lib/a.mkv", 300, 3), 25'000));
  CHECK(t.pending() == 0);
  // Rescans keep seeing the handed-over version: nothing new.
  t.Observe(Obs("/lib/a.mkv", 300, 3), 30'000);
  CHECK(t.pending() == 0);
  CHECK(t.Due(100'000).empty());
  // A new version of the file settles again.
  t.Observe(Obs("/lib/a.mkv", 400, 4), 40'000);
  CHECK(t.pending() == 1);
  CHECK(t.Confirm(Obs("/lib/a.mkv", 400, 4), 50'000));
}

TEST_CASE("settle: forget, unhandle and unknown paths") {
  SettleTracker t(kSettle);
  t.Observe(Obs("/lib/gone.mkv", 1), 0);
  t.Forget("/lib/gone.mkv");
  CHECK(t.Due(kSettle).empty());
  CHECK_FALSE(t.Confirm(Obs("/lib/never-seen.mkv", 1), kSettle));
  t.Observe(Obs("/lib/b.mkv", 1), 0);
  REQUIRE(t.Confirm(Obs("/lib/b.mkv", 1), kSettle));
  t.Unhandle("/lib/b.mkv");  // e.g. deferred while an older job runs
  t.Observe(Obs("/lib/b.mkv", 1), kSettle);
  CHECK(t.pending() == 1);
  CHECK(t.Due(2 * kSettle) == std::vector<std::string>{"/lib/b.mkv"});
}

TEST_CASE("settle: zero settle time hands over at the first due check") {
  SettleTracker t(0);
  t.Observe(Obs("/lib/c.mkv", 5), 7);
  CHECK(t.Due(7) == std::vector<std::string>{"/lib/c.mkv"});
  CHECK(t.Confirm(Obs("/lib/c.mkv", 5), 7));
}

// A filesystem of listed paths.
FsView FakeFs(std::set<std::string> dirs, std::set<std::string> files) {
  FsView fs;
  fs.is_directory = [dirs](const std::string& p) { return dirs.count(p) > 0; };
  fs.exists = [dirs, files](const std::string& p) { return dirs.count(p) || files.count(p); };
  fs.has_entries = [dirs, files](const std::string& d) {
    for (const auto& set : {dirs, files}) {
      for (const std::string& p : set) {
        if (p.size() > d.size() + 1 && p.compare(0, d.size() + 1, d + "/") == 0) return true;
      }
    }
    return false;
  };
  return fs;
}

TEST_CASE("mount check: missing, empty, marker") {
  const FsView fs = FakeFs({"/srv/lib", "/srv/empty", "/srv/lib/Movies"},
                           {"/srv/lib/.mkvfleet-library"});
  CHECK(CheckRootMounted("/srv/lib", "", fs).ok());
  CHECK(CheckRootMounted("/srv/lib", ".mkvfleet-library", fs).ok());

  auto missing = CheckRootMounted("/srv/nas", "", fs);
  CHECK(missing.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(missing.message()),
             Catch::Contains("library root /srv/nas looks unmounted: it is missing"));
  auto empty = CheckRootMounted("/srv/empty", "", fs);
  CHECK_THAT(std::string(empty.message()), Catch::Contains("/srv/empty looks unmounted: it is empty"));
  auto no_marker = CheckRootMounted("/srv/lib", "MARKER", fs);
  CHECK(no_marker.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(no_marker.message()), Catch::Contains("lacks the marker file MARKER"));
}

TEST_CASE("mount check on the real filesystem") {
  const std::string dir = testing::MakeTempDir("mount-check");
  const FsView fs = RealFsView();
  CHECK_THAT(std::string(CheckRootMounted(dir, "", fs).message()), Catch::Contains("empty"));
  std::ofstream(dir + "/.marker") << "";
  CHECK(CheckRootMounted(dir, ".marker", fs).ok());
  CHECK_FALSE(CheckRootMounted(dir + "/nope", "", fs).ok());
}

TEST_CASE("a full scan refuses a root without its marker and enqueues nothing") {
  const std::string dir = testing::MakeTempDir("scan-marker");
  std::filesystem::create_directories(dir + "/lib");
  std::ofstream(dir + "/lib/a.mkv") << "x";
  FakeClock clock(1'000);
  auto store = JobStore::Open(dir + "/jobs.db", JobPolicy{}, &clock, nullptr);
  REQUIRE(store.ok());
  auto lib = Library::Create({dir + "/lib"}, "", "", ".mkvfleet-library");
  REQUIRE(lib.ok());

  auto refused = Scan(**store, *lib, ScanMode::kFull, {}, "", false);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains(lib->roots[0] + " looks unmounted") &&
                 Catch::Contains("marker file .mkvfleet-library"));
  CHECK((*store)->ListJobs({})->jobs.empty());

  std::ofstream(dir + "/lib/.mkvfleet-library") << "";
  auto ok = Scan(**store, *lib, ScanMode::kFull, {}, "", false);
  REQUIRE(ok.ok());
  REQUIRE(ok->size() == 1);
  CHECK(ok->at(0).outcome == EnqueueOutcome::kCreated);
}

}  // namespace
}  // namespace mkvfleet::server
