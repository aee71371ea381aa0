// Watch folders through the real mkv-coordinator (--watch via MKVFLEET_WATCH_* and a marker
// file), observed only with `mkvctl --json list` / `scan`: a file written in chunks is enqueued
// once, after it stopped growing, with its final size; a file moved into the root and one in a new
// subfolder appear; with the marker file gone the root is refused (a log line, nothing enqueued,
// existing jobs untouched, `scan --full` fails naming the root) until the marker is back.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/time/clock.h"
#include "tests/integration/backbone/fleet_harness.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace {

namespace fs = std::filesystem;
constexpr char kMarker[] = ".mkvfleet-library";
constexpr int kSettleSeconds = 3;

// Jobs of `path` in `mkvctl --json list`.
std::vector<nlohmann::json> JobsOf(Fleet& fleet, const std::string& path) {
  std::vector<nlohmann::json> out;
  for (const auto& j : fleet.List()) {
    if (j.value("path", "") == path) out.push_back(j);
  }
  return out;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  REQUIRE(f.good());
}

TEST_CASE("watch folders enqueue settled files once and refuse a root without its marker") {
  setenv("MKVFLEET_WATCH_ENABLED", "true", 1);
  setenv("MKVFLEET_WATCH_SETTLE_SECONDS", std::to_string(kSettleSeconds).c_str(), 1);
  setenv("MKVFLEET_WATCH_RESCAN_SECONDS", "1", 1);
  setenv("MKVFLEET_LIBRARY_MARKER_FILE", kMarker, 1);
  Fleet fleet(Fleet::Options{});
  const std::string lib = fs::canonical(fleet.library()).string();
  WriteFile(lib + "/" + kMarker, "");
  fleet.StartCoordinator();
  REQUIRE_FALSE(fleet.coordinator().WaitForLine("watch started", absl::Seconds(20)).empty());

  // 1. A slow copy: chunks keep arriving for longer than the settle time, the file held open.
  const std::string slow = lib + "/slow copy.mkv";
  int64_t written = 0;
  {
    std::ofstream out(slow, std::ios::binary);
    const std::string chunk(64 * 1024, 'x');
    const absl::Time start = absl::Now();
    bool checked_midway = false;
    while (absl::Now() < start + absl::Seconds(kSettleSeconds * 2)) {
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      out.flush();
      REQUIRE(out.good());
      written += static_cast<int64_t>(chunk.size());
      if (!checked_midway && absl::Now() > start + absl::Seconds(kSettleSeconds + 1)) {
        checked_midway = true;  // longer than the settle time since it appeared, still growing
        CHECK(JobsOf(fleet, slow).empty());
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  fleet.WaitFor("the slow copy to be enqueued after it stopped growing",
                [&] { return !JobsOf(fleet, slow).empty(); });
  {
    auto jobs = JobsOf(fleet, slow);
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0].value("size_bytes", int64_t{-1}) == written);  // the whole file, not a prefix
  }

  // 2. A file moved into the root (IN_MOVED_TO) and 3. one in a new subfolder.
  const std::string outside = MakeTempDir("watch-outside") + "/moved.mkv";
  WriteFile(outside, "moved in");
  const std::string moved = lib + "/moved.mkv";
  fs::rename(outside, moved);
  fs::create_directories(lib + "/Season 1/Disc 2");
  const std::string nested = lib + "/Season 1/Disc 2/episode.mkv";
  WriteFile(nested, "nested");
  WriteFile(lib + "/notes.txt", "not a movie");
  fleet.WaitFor("the moved file and the one in a new subfolder to be enqueued", [&] {
    return JobsOf(fleet, moved).size() == 1 && JobsOf(fleet, nested).size() == 1;
  });

  // 4. The marker disappears (an unmounted share looks like this): refused, nothing enqueued.
  const nlohmann::json before = fleet.List();
  fs::remove(lib + "/" + kMarker);
  const std::string late = lib + "/late.mkv";
  WriteFile(late, "arrived while the share looked unmounted");
  REQUIRE_FALSE(
      fleet.coordinator().WaitForLine("watch skipped path=\"" + late, absl::Seconds(30)).empty());
  CHECK_THAT(fleet.coordinator().Output(),
             Catch::Contains("watch refused root=" + lib) &&
                 Catch::Contains("lacks the marker file .mkvfleet-library"));
  CHECK(JobsOf(fleet, late).empty());
  CtlResult scan = fleet.Ctl({"scan", "--full"});
  CHECK(scan.exit_code != 0);
  CHECK_THAT(scan.err, Catch::Contains(lib + " looks unmounted"));
  CHECK(fleet.List() == before);  // existing jobs untouched, nothing added

  // The marker is back: the next rescan picks the file up.
  WriteFile(lib + "/" + kMarker, "");
  fleet.WaitFor("the late file to be enqueued once the root is usable again",
                [&] { return JobsOf(fleet, late).size() == 1; });

  // Exactly once, after many rescans.
  CHECK(JobsOf(fleet, slow).size() == 1);
  CHECK(JobsOf(fleet, moved).size() == 1);
  CHECK(JobsOf(fleet, nested).size() == 1);
  for (const auto& j : fleet.List()) {
    CHECK(j.value("path", "").find("notes.txt") == std::string::npos);
  }
}

}  // namespace
}  // namespace mkvfleet::testing
