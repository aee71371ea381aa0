// `mkvctl scan` against the real mkv-coordinator: the summary line by default, every file with
// --verbose, the --json object (counts, refusals, per-file results with --verbose), and refusals
// on stderr with their reasons and exit 1.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/integration/backbone/fleet_harness.h"

namespace mkvfleet::testing {
namespace {
namespace fs = std::filesystem;

TEST_CASE("mkvctl scan prints a summary, --verbose every file, --json the counts") {
  Fleet fleet(Fleet::Options{});
  fleet.StartCoordinator();
  fleet.MakeFiles("film", 12);

  CtlResult first = fleet.Ctl({"scan", "--full"});
  CHECK(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::StartsWith("scanned 12 files in "));
  CHECK_THAT(first.out, Catch::Contains("12 created, 0 duplicate, 0 requeued, 0 refused"));
  CHECK(first.out.find("film00.mkv") == std::string::npos);  // no per-file lines

  CtlResult verbose = fleet.Ctl({"scan", "--full", "--verbose"});
  CHECK(verbose.exit_code == 0);
  CHECK_THAT(verbose.out, Catch::StartsWith("OUTCOME"));
  CHECK_THAT(verbose.out, Catch::Contains("duplicate") && Catch::Contains("film00.mkv") &&
                              Catch::Contains("film11.mkv"));
  CHECK_THAT(verbose.out, Catch::Contains("0 created, 12 duplicate"));

  // A symlink leading outside the library is refused, with its reason, on every pass.
  const std::string outside = fs::path(fleet.library()).parent_path().string() + "/outside.mkv";
  std::ofstream(outside) << "x";
  fs::create_symlink(outside, fleet.library() + "/escape.mkv");

  CtlResult json = fleet.Ctl({"--json", "scan", "--full"});
  CHECK(json.exit_code == 1);
  CHECK_THAT(json.err, Catch::Contains("refused " + fleet.library() + "/escape.mkv") &&
                           Catch::Contains("symlink escape refused"));
  const nlohmann::json j = json.Json();
  CHECK(j["files"] == 13);
  CHECK(j["duplicate"] == 12);
  CHECK(j["created"] == 0);
  CHECK(j["refused"] == 1);
  REQUIRE(j["refusals"].size() == 1);
  CHECK(j["refusals"][0]["path"] == fleet.library() + "/escape.mkv");
  CHECK(j["refusals"][0]["outcome"] == "refused");
  CHECK_FALSE(j.contains("results"));

  CtlResult json_verbose = fleet.Ctl({"--json", "scan", "--full", "--verbose"});
  const nlohmann::json jv = json_verbose.Json();
  REQUIRE(jv["results"].size() == 13);
  int duplicates = 0;
  for (const auto& r : jv["results"]) {
    CHECK(r.contains("job_id"));
    if (r["outcome"] == "duplicate") ++duplicates;
  }
  CHECK(duplicates == 12);

  CtlResult quiet = fleet.Ctl({"scan", "--full"});
  CHECK(quiet.exit_code == 1);
  CHECK_THAT(quiet.out, Catch::Contains("12 duplicate, 0 requeued, 1 refused"));
  CHECK_THAT(quiet.err, Catch::Contains("symlink escape refused"));
}

}  // namespace
}  // namespace mkvfleet::testing
