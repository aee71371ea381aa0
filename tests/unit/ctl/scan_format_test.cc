// mkvctl scan output: the summary line, the first refusals, --verbose and the --json object.
#include "ctl/scan_format.h"

#include <catch2/catch.hpp>

namespace mkvfleet::ctl {
namespace {

v1::EnqueueResult Result(const std::string& path, v1::EnqueueOutcome outcome, int64_t job,
                         const std::string& reason = "") {
  v1::EnqueueResult r;
  r.set_path(path);
  r.set_outcome(outcome);
  r.set_job_id(job);
  r.set_reason(reason);
  return r;
}

// A verbose stream: two messages, the summary on the last.
ScanResults VerboseScan() {
  ScanResults scan;
  v1::ScanReply first;
  *first.add_results() = Result("/lib/a.mkv", v1::ENQUEUE_OUTCOME_CREATED, 1);
  *first.add_results() = Result("/lib/b.mkv", v1::ENQUEUE_OUTCOME_DUPLICATE, 2, "already job 2");
  scan.Add(first);
  v1::ScanReply last;
  *last.add_results() = Result("/lib/c.mkv", v1::ENQUEUE_OUTCOME_REFUSED, 0, "not a regular file");
  v1::ScanSummary* s = last.mutable_summary();
  s->set_files(3);
  s->set_created(1);
  s->set_duplicate(1);
  s->set_refused(1);
  s->set_elapsed_ms(12);
  scan.Add(last);
  return scan;
}

TEST_CASE("scan summary line and verbose table") {
  const ScanResults scan = VerboseScan();
  REQUIRE(scan.has_summary);
  CHECK(ScanSummaryLine(scan.summary) ==
        "scanned 3 files in 12 ms: 1 created, 1 duplicate, 0 requeued, 1 refused");
  CHECK(ScanText(scan, /*verbose=*/false) == ScanSummaryLine(scan.summary) + "\n");
  const std::string verbose = ScanText(scan, /*verbose=*/true);
  CHECK_THAT(verbose, Catch::StartsWith("OUTCOME"));
  CHECK_THAT(verbose, Catch::Contains("created    1    /lib/a.mkv"));
  CHECK_THAT(verbose, Catch::Contains("refused         /lib/c.mkv  not a regular file"));
  CHECK_THAT(verbose, Catch::EndsWith(ScanSummaryLine(scan.summary) + "\n"));

  v1::ScanSummary dry;
  dry.set_files(1);
  dry.set_would_create(1);
  CHECK(ScanSummaryLine(dry) ==
        "scanned 1 file in 0 ms: 0 created, 0 duplicate, 0 requeued, 0 refused, 1 would be "
        "created");
}

TEST_CASE("scan refusals: the first ones with reasons, the rest counted") {
  std::vector<v1::EnqueueResult> refusals;
  for (int i = 0; i < 15; ++i) {
    refusals.push_back(Result("/lib/" + std::to_string(i) + ".mkv", v1::ENQUEUE_OUTCOME_REFUSED, 0,
                              "reason " + std::to_string(i)));
  }
  const std::vector<std::string> lines = RefusalLines(refusals, 15, kScanRefusalsShown);
  REQUIRE(lines.size() == 11);
  CHECK(lines[0] == "refused /lib/0.mkv: reason 0");
  CHECK(lines[9] == "refused /lib/9.mkv: reason 9");
  CHECK(lines[10] == "... and 5 more refused (--verbose lists every file)");
  CHECK(RefusalLines({}, 0, kScanRefusalsShown).empty());
  CHECK(RefusalLines({refusals[0]}, 1, kScanRefusalsShown).size() == 1);
}

TEST_CASE("scan --json: counts, refusals, and every file with --verbose") {
  const ScanResults scan = VerboseScan();
  const nlohmann::json quiet = ScanToJson(scan, /*verbose=*/false);
  CHECK(quiet["files"] == 3);
  CHECK(quiet["created"] == 1);
  CHECK(quiet["duplicate"] == 1);
  CHECK(quiet["requeued"] == 0);
  CHECK(quiet["refused"] == 1);
  CHECK(quiet["would_create"] == 0);
  CHECK(quiet["elapsed_ms"] == 12);
  CHECK_FALSE(quiet.contains("results"));
  REQUIRE(quiet["refusals"].size() == 1);
  CHECK(quiet["refusals"][0] == nlohmann::json({{"path", "/lib/c.mkv"},
                                                {"outcome", "refused"},
                                                {"job_id", nullptr},
                                                {"reason", "not a regular file"}}));

  const nlohmann::json verbose = ScanToJson(scan, /*verbose=*/true);
  REQUIRE(verbose["results"].size() == 3);
  CHECK(verbose["results"][0]["path"] == "/lib/a.mkv");
  CHECK(verbose["results"][0]["outcome"] == "created");
  CHECK(verbose["results"][0]["job_id"] == 1);
  CHECK(verbose["results"][1]["outcome"] == "duplicate");
  CHECK(verbose["results"][1]["reason"] == "already job 2");
}

}  // namespace
}  // namespace mkvfleet::ctl
