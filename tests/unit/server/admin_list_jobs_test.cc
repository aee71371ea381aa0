// AdminService ListJobs and CountJobs over gRPC on 127.0.0.1:0: pages follow next_page_token to
// the end in either order, totals match the filter, a foreign page token is refused, and the
// per-state counts match the table.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <vector>

#include "mkvfleet/v1/admin.grpc.pb.h"
#include "server/coordinator_server.h"
#include "tests/test_paths.h"
#include "tests/unit/server/in_process_coordinator.h"

namespace mkvfleet::server {
namespace {
namespace fs = std::filesystem;

constexpr int kFiles = 25;

// A coordinator without tokens over a library of kFiles .mkv files, all enqueued.
struct ListCoordinator {
  std::string dir = testing::MakeTempDir("admin-list-test");
  FakeClock clock{1'700'000'000'000};
  std::unique_ptr<CoordinatorServer> server;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::vector<int64_t> ids;  // ascending

  ListCoordinator() {
    const std::string lib = dir + "/lib";
    fs::create_directories(lib);
    CoordinatorConfig config;
    config.state_dir = dir + "/state";
    config.library_roots = {lib};
    config.output_dir = dir + "/out";
    testing::InProcessCoordinator c = testing::StartInProcessCoordinator(config, &clock);
    server = std::move(c.server);
    admin = v1::AdminService::NewStub(c.channel);
    v1::EnqueueRequest enqueue;
    for (int i = 0; i < kFiles; ++i) {
      const std::string path = lib + "/" + std::to_string(i) + ".mkv";
      std::ofstream(path) << "x";
      enqueue.add_paths(path);
    }
    v1::EnqueueResponse created;
    REQUIRE(admin->Enqueue(Ctx().get(), enqueue, &created).ok());
    for (const auto& r : created.results()) ids.push_back(r.job_id());
    REQUIRE(ids.size() == static_cast<size_t>(kFiles));
  }

  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  // Every page of `request` in turn; checks each page's total.
  std::vector<int64_t> ReadAll(v1::ListJobsRequest request, int64_t total) {
    std::vector<int64_t> seen;
    for (int pages = 0; pages < 50; ++pages) {
      v1::ListJobsResponse page;
      REQUIRE(admin->ListJobs(Ctx().get(), request, &page).ok());
      CHECK(page.total() == total);
      CHECK(page.jobs_size() <= request.limit());
      for (const v1::Job& j : page.jobs()) seen.push_back(j.id());
      if (page.next_page_token().empty()) return seen;
      request.set_page_token(page.next_page_token());
    }
    FAIL("next_page_token never ran out");
    return seen;
  }
};

TEST_CASE("ListJobs over gRPC: pages to the end in either order") {
  ListCoordinator c;
  v1::ListJobsRequest request;
  request.set_limit(4);
  CHECK(c.ReadAll(request, kFiles) == c.ids);
  request.set_newest_first(true);
  CHECK(c.ReadAll(request, kFiles) == std::vector<int64_t>(c.ids.rbegin(), c.ids.rend()));

  SECTION("no limit is one page of everything here, without a token") {
    v1::ListJobsResponse page;
    REQUIRE(c.admin->ListJobs(ListCoordinator::Ctx().get(), {}, &page).ok());
    CHECK(page.jobs_size() == kFiles);
    CHECK(page.next_page_token().empty());
    CHECK(page.jobs(0).steps_size() == 0);
  }
  SECTION("a state filter with the cursor, and counts per state") {
    v1::CancelJobRequest cancel;
    v1::Job cancelled;
    for (int i : {3, 7, 8, 20}) {
      cancel.set_id(c.ids[i]);
      REQUIRE(c.admin->CancelJob(ListCoordinator::Ctx().get(), cancel, &cancelled).ok());
    }
    v1::ListJobsRequest by_state;
    by_state.add_states(v1::JOB_STATE_CANCELLED);
    by_state.set_limit(3);
    CHECK(c.ReadAll(by_state, 4) == std::vector<int64_t>{c.ids[3], c.ids[7], c.ids[8], c.ids[20]});

    v1::CountJobsResponse counts;
    REQUIRE(c.admin->CountJobs(ListCoordinator::Ctx().get(), {}, &counts).ok());
    std::map<int, int64_t> by;
    for (const auto& n : counts.counts()) by[n.state()] = n.count();
    CHECK(by == std::map<int, int64_t>{{v1::JOB_STATE_PENDING, kFiles - 4},
                                       {v1::JOB_STATE_CANCELLED, 4}});
  }
  SECTION("a page token the coordinator did not hand out is refused") {
    for (const char* token : {"abc", "-5", "0", "12x"}) {
      v1::ListJobsRequest bad;
      bad.set_page_token(token);
      v1::ListJobsResponse page;
      grpc::Status s = c.admin->ListJobs(ListCoordinator::Ctx().get(), bad, &page);
      CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK_THAT(s.error_message(), Catch::Contains("page_token"));
    }
  }
}

}  // namespace
}  // namespace mkvfleet::server
