// AdminService.Scan as a stream: bounded batches (a verbose scan whose results exceed gRPC's 4 MB
// message limit arrives whole), the summary's counts on a first, repeat and changed pass, and the
// refusals (with their reasons) being all a quiet scan sends.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "mkvfleet/v1/admin.grpc.pb.h"
#include "server/coordinator_server.h"
#include "server/rpc/scan_reply.h"
#include "tests/test_paths.h"
#include "tests/unit/server/in_process_coordinator.h"

namespace mkvfleet::server {
namespace {
namespace fs = std::filesystem;

EnqueueRecord Record(const std::string& path, EnqueueOutcome outcome) {
  EnqueueRecord r;
  r.path = path;
  r.outcome = outcome;
  if (outcome == EnqueueOutcome::kRefused) r.reason = "why " + path;
  return r;
}

std::vector<v1::ScanReply> Replies(const std::vector<EnqueueRecord>& records, bool verbose,
                                   size_t batch) {
  std::vector<v1::ScanReply> out;
  REQUIRE(WriteScanReplies(records, verbose, SummarizeScan(records, 7), batch,
                           [&](const v1::ScanReply& r) {
                             out.push_back(r);
                             return true;
                           }));
  return out;
}

TEST_CASE("scan replies: batches of at most the bound, the summary on the last") {
  std::vector<EnqueueRecord> records;
  for (int i = 0; i < 5; ++i)
    records.push_back(Record("/l/c" + std::to_string(i), EnqueueOutcome::kCreated));
  records.push_back(Record("/l/r1", EnqueueOutcome::kRefused));
  records.push_back(Record("/l/d1", EnqueueOutcome::kDuplicate));
  records.push_back(Record("/l/r2", EnqueueOutcome::kRefused));

  const std::vector<v1::ScanReply> all = Replies(records, /*verbose=*/true, 3);
  REQUIRE(all.size() == 3);
  CHECK(all[0].results_size() == 3);
  CHECK(all[1].results_size() == 3);
  CHECK(all[2].results_size() == 2);
  CHECK_FALSE(all[0].has_summary());
  CHECK_FALSE(all[1].has_summary());
  REQUIRE(all[2].has_summary());
  CHECK(all[0].results(0).path() == "/l/c0");
  CHECK(all[2].results(1).path() == "/l/r2");
  const v1::ScanSummary& s = all[2].summary();
  CHECK(s.files() == 8);
  CHECK(s.created() == 5);
  CHECK(s.duplicate() == 1);
  CHECK(s.refused() == 2);
  CHECK(s.requeued() == 0);
  CHECK(s.elapsed_ms() == 7);

  const std::vector<v1::ScanReply> quiet = Replies(records, /*verbose=*/false, 1000);
  REQUIRE(quiet.size() == 1);
  REQUIRE(quiet[0].results_size() == 2);
  CHECK(quiet[0].results(0).reason() == "why /l/r1");
  CHECK(quiet[0].summary().files() == 8);

  const std::vector<v1::ScanReply> none = Replies({}, /*verbose=*/false, 1000);
  REQUIRE(none.size() == 1);
  CHECK(none[0].results_size() == 0);
  CHECK(none[0].has_summary());

  int writes = 0;
  CHECK_FALSE(WriteScanReplies(records, true, SummarizeScan(records, 0), 2,
                               [&](const v1::ScanReply&) { return ++writes < 2; }));
  CHECK(writes == 2);  // stopped at the first failed write
}

// An in-process coordinator over a library of `count` files whose paths are ~1.7 KB long.
struct LongPathLibrary {
  std::string dir = testing::MakeTempDir("scan-stream-test");
  std::string lib = dir + "/lib";
  std::string deep;
  FakeClock clock{1'700'000'000'000};
  std::unique_ptr<CoordinatorServer> server;
  std::unique_ptr<v1::AdminService::Stub> admin;

  explicit LongPathLibrary(int count) {
    deep = lib;
    for (char c : std::string("abcdef")) deep += "/" + std::string(250, c);
    fs::create_directories(deep);
    for (int i = 0; i < count; ++i) {
      std::ofstream(deep + "/" + std::string(180, 'f') + std::to_string(i) + ".mkv") << "x";
    }
    CoordinatorConfig config;
    config.state_dir = dir + "/state";
    config.library_roots = {lib};
    testing::InProcessCoordinator c = testing::StartInProcessCoordinator(config, &clock);
    server = std::move(c.server);
    admin = v1::AdminService::NewStub(c.channel);
  }
};

struct ScanStream {
  grpc::Status status;
  std::vector<v1::EnqueueResult> results;
  v1::ScanSummary summary;
  size_t messages = 0;
  size_t largest_message = 0;
  size_t total_bytes = 0;
};

ScanStream RunScan(v1::AdminService::Stub& admin, const v1::ScanRequest& request) {
  ScanStream out;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto reader = admin.Scan(&ctx, request);
  for (v1::ScanReply reply; reader->Read(&reply);) {
    ++out.messages;
    out.largest_message = std::max(out.largest_message, reply.ByteSizeLong());
    out.total_bytes += reply.ByteSizeLong();
    out.results.insert(out.results.end(), reply.results().begin(), reply.results().end());
    if (reply.has_summary()) out.summary = reply.summary();
  }
  out.status = reader->Finish();
  return out;
}

v1::ScanRequest FullScan(bool verbose) {
  v1::ScanRequest r;
  r.set_mode(v1::SCAN_MODE_FULL);
  r.set_verbose(verbose);
  return r;
}

TEST_CASE("a verbose scan larger than 4 MB streams whole; a repeat pass counts duplicates") {
  constexpr int kFiles = 3000;
  LongPathLibrary l(kFiles);
  const ScanStream first = RunScan(*l.admin, FullScan(/*verbose=*/true));
  REQUIRE(first.status.ok());
  CHECK(first.total_bytes > 4u * 1024 * 1024);          // one unary reply would be refused
  CHECK(first.largest_message < 4u * 1024 * 1024 / 2);  // each batch far below the limit
  CHECK(first.messages == 3);                           // 1000 + 1000 + 1000 with the summary
  REQUIRE(first.results.size() == kFiles);
  for (const auto& r : first.results) REQUIRE(r.outcome() == v1::ENQUEUE_OUTCOME_CREATED);
  CHECK(first.results.front().path() < first.results.back().path());  // path order
  CHECK(first.summary.files() == kFiles);
  CHECK(first.summary.created() == kFiles);
  CHECK(first.summary.duplicate() == 0);

  const ScanStream repeat = RunScan(*l.admin, FullScan(/*verbose=*/false));
  REQUIRE(repeat.status.ok());
  CHECK(repeat.messages == 1);  // quiet and nothing refused: only the summary
  CHECK(repeat.results.empty());
  CHECK(repeat.summary.files() == kFiles);
  CHECK(repeat.summary.duplicate() == kFiles);
  CHECK(repeat.summary.created() == 0);
  CHECK(repeat.summary.refused() == 0);
}

TEST_CASE("scan summary: requeued and refused files, refusals with their reasons") {
  LongPathLibrary l(3);
  REQUIRE(RunScan(*l.admin, FullScan(false)).summary.created() == 3);

  // A changed file, a new one, and a symlink leading outside the library.
  const std::string changed = l.deep + "/" + std::string(180, 'f') + "1.mkv";
  std::ofstream(changed) << "longer content";
  std::ofstream(l.lib + "/new.mkv") << "n";
  const std::string outside = l.dir + "/outside.mkv";
  std::ofstream(outside) << "o";
  fs::create_symlink(outside, l.lib + "/escape.mkv");

  const ScanStream quiet = RunScan(*l.admin, FullScan(false));
  REQUIRE(quiet.status.ok());
  CHECK(quiet.summary.files() == 5);
  CHECK(quiet.summary.created() == 1);
  CHECK(quiet.summary.requeued() == 1);
  CHECK(quiet.summary.duplicate() == 2);
  CHECK(quiet.summary.refused() == 1);
  REQUIRE(quiet.results.size() == 1);  // only the refusal
  CHECK(quiet.results[0].path() == l.lib + "/escape.mkv");
  CHECK(quiet.results[0].outcome() == v1::ENQUEUE_OUTCOME_REFUSED);
  CHECK_THAT(quiet.results[0].reason(), Catch::Contains("symlink escape refused"));

  v1::ScanRequest files;
  files.set_mode(v1::SCAN_MODE_FILES);
  files.add_paths(l.lib + "/missing.mkv");
  files.add_paths(l.lib + "/new.mkv");
  files.set_verbose(true);
  const ScanStream given = RunScan(*l.admin, files);
  REQUIRE(given.status.ok());
  REQUIRE(given.results.size() == 2);  // the given order
  CHECK(given.results[0].outcome() == v1::ENQUEUE_OUTCOME_REFUSED);
  CHECK_THAT(given.results[0].reason(), Catch::Contains("does not exist"));
  CHECK(given.results[1].outcome() == v1::ENQUEUE_OUTCOME_DUPLICATE);
  CHECK(given.summary.files() == 2);
  CHECK(given.summary.refused() == 1);
  CHECK(given.summary.duplicate() == 1);
}

}  // namespace
}  // namespace mkvfleet::server
