// mkv-coordinator as a real process: the "listening on HOST:PORT" line, one-line refusals with a
// non-zero exit, clean SIGTERM, and SIGKILL + restart losing nothing and double-assigning nothing.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <set>

#include "common/auth/client_channel.h"
#include "mkvfleet/v1/admin.grpc.pb.h"
#include "mkvfleet/v1/agent.grpc.pb.h"
#include "tests/integration/coordinator/coordinator_process.h"

namespace mkvfleet::server {
namespace {

TEST_CASE("refusals exit non-zero with one line on stderr") {
  CoordinatorSetup s;
  SECTION("beyond loopback without tokens") {
    auto c = Spawn(s.Args("0.0.0.0:0"), s.dir, "open");
    CHECK(c->Wait() != 0);
    const std::string err = Slurp(c->err);
    CHECK_THAT(err, Catch::Contains("refusing to listen on 0.0.0.0:0"));
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  }
  SECTION("missing library root") {
    auto args = s.Args();
    args.push_back("--library");
    args.push_back(s.dir + "/nope");
    auto c = Spawn(args, s.dir, "nolib");
    CHECK(c->Wait() != 0);
    CHECK_THAT(Slurp(c->err), Catch::Contains(s.dir + "/nope"));
  }
  SECTION("a port already in use") {
    auto first = Spawn(s.Args(), s.dir, "first");
    const std::string address = WaitListening(*first);
    CoordinatorSetup other;
    auto second = Spawn(other.Args(address), other.dir, "second");
    CHECK(second->Wait() != 0);
    const std::string err = Slurp(second->err);
    CHECK_THAT(err, Catch::Contains("cannot listen on " + address));
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);  // gRPC's own logging stays quiet
  }
  SECTION("a second coordinator on the same state dir") {
    auto first = Spawn(s.Args(), s.dir, "first");
    WaitListening(*first);
    auto second = Spawn(s.Args(), s.dir, "second");
    CHECK(second->Wait() != 0);
    CHECK_THAT(Slurp(second->err), Catch::Contains("already using state dir"));
  }
}

TEST_CASE("relative paths on the command line mean the current directory") {
  CoordinatorSetup s;
  char* cwd = getcwd(nullptr, 0);
  REQUIRE(cwd != nullptr);
  REQUIRE(chdir(s.dir.c_str()) == 0);  // the child inherits it
  auto c = Spawn({MKV_COORDINATOR_BIN, "--listen", "127.0.0.1:0", "--state-dir", "state",
                  "--library", "./lib", "--output-dir", "out/../lib"},
                 s.dir, "relative");
  REQUIRE(chdir(cwd) == 0);
  std::free(cwd);
  const std::string address = WaitListening(*c);
  CHECK(std::filesystem::exists(s.state + "/jobs.db"));
  auth::ClientConnectOptions options;
  options.target = address;
  auto channel = auth::MakeChannel(options);
  REQUIRE(channel.ok());
  auto admin = v1::AdminService::NewStub(*channel);
  v1::EnqueueRequest enqueue;
  enqueue.add_paths(s.library_files[0]);  // inside the root given as ./lib
  v1::EnqueueResponse enqueued;
  REQUIRE(admin->Enqueue(Ctx().get(), enqueue, &enqueued).ok());
  REQUIRE(enqueued.results_size() == 1);
  CHECK(enqueued.results(0).outcome() == v1::ENQUEUE_OUTCOME_CREATED);
}

TEST_CASE("SIGKILL and restart lose nothing and double-assign nothing") {
  CoordinatorSetup s;
  auto coord = Spawn(s.Args(), s.dir, "run1");
  std::string address = WaitListening(*coord);
  auth::ClientConnectOptions options;
  options.target = address;
  auto channel = auth::MakeChannel(options);
  REQUIRE(channel.ok());
  auto admin = v1::AdminService::NewStub(*channel);
  auto agent = v1::AgentService::NewStub(*channel);

  v1::ScanRequest scan;
  scan.set_mode(v1::SCAN_MODE_FULL);
  v1::ScanReply scanned;
  auto scan_ctx = Ctx();
  auto scan_reader = admin->Scan(scan_ctx.get(), scan);
  for (v1::ScanReply reply; scan_reader->Read(&reply);) scanned = reply;  // keeps the last
  REQUIRE(scan_reader->Finish().ok());
  REQUIRE(scanned.summary().created() == 3);
  v1::RegisterRequest reg;
  reg.set_name("vm1");
  v1::RegisterResponse reg_out;
  REQUIRE(agent->Register(Ctx().get(), reg, &reg_out).ok());
  v1::ClaimJobRequest claim;
  claim.set_agent("vm1");
  v1::ClaimJobResponse claimed;
  REQUIRE(agent->ClaimJob(Ctx().get(), claim, &claimed).ok());
  REQUIRE(claimed.has_task());
  const v1::Task task = claimed.task();

  ::kill(coord->pid, SIGKILL);
  CHECK(coord->Wait() == 128 + SIGKILL);
  auto again = Spawn(s.Args(), s.dir, "run2");
  address = WaitListening(*again);
  options.target = address;
  channel = auth::MakeChannel(options);
  REQUIRE(channel.ok());
  admin = v1::AdminService::NewStub(*channel);
  agent = v1::AgentService::NewStub(*channel);

  v1::ListJobsResponse jobs;
  REQUIRE(admin->ListJobs(Ctx().get(), {}, &jobs).ok());
  REQUIRE(jobs.jobs_size() == 3);
  int running = 0;
  for (const auto& j : jobs.jobs()) running += j.state() == v1::JOB_STATE_RUNNING;
  CHECK(running == 1);

  // The surviving lease is still honoured: the agent's heartbeat renews it.
  v1::HeartbeatRequest hb;
  hb.set_agent("vm1");
  auto* l = hb.add_leases();
  l->set_lease_id(task.lease_id());
  l->set_task_id(task.task_id());
  v1::HeartbeatResponse hb_out;
  REQUIRE(agent->Heartbeat(Ctx().get(), hb, &hb_out).ok());
  CHECK(hb_out.revoked_lease_ids_size() == 0);
  CHECK(hb_out.renewed_deadlines_ms().count(task.lease_id()) == 1);

  // The other two jobs are claimable once each; the leased one is never handed out again.
  std::set<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    v1::ClaimJobResponse next;
    REQUIRE(agent->ClaimJob(Ctx().get(), claim, &next).ok());
    if (next.has_task()) ids.insert(next.task().job().id());
  }
  CHECK(ids.size() == 2);
  CHECK(ids.count(task.job().id()) == 0);

  ::kill(again->pid, SIGTERM);
  CHECK(again->Wait() == 0);
  CHECK_THAT(Slurp(again->err), Catch::Contains("coordinator stopped"));
}

}  // namespace
}  // namespace mkvfleet::server
