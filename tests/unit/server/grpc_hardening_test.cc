// The gRPC side as an attacker (or a broken fleet) sees it: message size limits on both ends,
// a bound on concurrent WatchEvents streams and on what one slow watcher can make the coordinator
// buffer, tokens compared correctly in constant time, and a clear refusal for an agent that
// registers under a name another live agent holds (while a restarted agent gets its name back).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/auth/client_channel.h"
#include "common/auth/token.h"
#include "common/auth/wire_limits.h"
#include "grpcpp/create_channel.h"
#include "mkvfleet/v1/admin.grpc.pb.h"
#include "mkvfleet/v1/agent.grpc.pb.h"
#include "server/coordinator_server.h"
#include "server/event_bus.h"
#include "tests/test_paths.h"
#include "tests/unit/server/in_process_coordinator.h"

namespace mkvfleet::server {
namespace {
namespace fs = std::filesystem;

constexpr int64_t kT0 = 1'700'000'000'000;

// A coordinator without tokens on 127.0.0.1, one .mkv in its library.
struct Coordinator {
  std::string dir = testing::MakeTempDir("grpc-hardening");
  std::string lib = dir + "/lib";
  FakeClock clock{kT0};
  std::unique_ptr<CoordinatorServer> server;
  std::shared_ptr<grpc::Channel> channel;  // as mkvctl and agents make it (auth::MakeChannel)
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::AgentService::Stub> agent;

  explicit Coordinator(int max_watchers = kDefaultMaxEventWatchers) {
    fs::create_directories(lib);
    std::ofstream(lib + "/a.mkv") << "aaaa";
    CoordinatorConfig config;
    config.state_dir = dir + "/state";
    config.library_roots = {lib};
    config.max_event_watchers = max_watchers;
    testing::InProcessCoordinator c = testing::StartInProcessCoordinator(config, &clock);
    server = std::move(c.server);
    channel = std::move(c.channel);
    admin = v1::AdminService::NewStub(channel);
    agent = v1::AgentService::NewStub(channel);
  }
};

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

v1::RegisterRequest Registration(const std::string& name, const std::string& instance) {
  v1::RegisterRequest r;
  r.set_name(name);
  r.set_version("1.0");
  r.set_instance_id(instance);
  return r;
}

grpc::Status Register(Coordinator& c, const std::string& name, const std::string& instance) {
  v1::RegisterResponse out;
  return c.agent->Register(Ctx().get(), Registration(name, instance), &out);
}

TEST_CASE("tokens: bearer parsing and constant-time comparison give the right answers") {
  CHECK(auth::ConstantTimeEquals("secret-token", "secret-token"));
  CHECK_FALSE(auth::ConstantTimeEquals("Secret-token", "secret-token"));   // first byte
  CHECK_FALSE(auth::ConstantTimeEquals("secret-tokeN", "secret-token"));   // last byte
  CHECK_FALSE(auth::ConstantTimeEquals("secret-toke", "secret-token"));    // a prefix
  CHECK_FALSE(auth::ConstantTimeEquals("secret-token!", "secret-token"));  // longer
  CHECK_FALSE(auth::ConstantTimeEquals("", "secret-token"));
  CHECK_FALSE(auth::ConstantTimeEquals(std::string("secret-token\0", 13), "secret-token"));
  CHECK(auth::ParseBearer("Bearer abc") == absl::string_view("abc"));
  CHECK(auth::ParseBearer("  bearer   abc  ") == absl::string_view("abc"));
  CHECK_FALSE(auth::ParseBearer("Basic abc").has_value());
  CHECK_FALSE(auth::ParseBearer("Bearer ").has_value());
}

TEST_CASE("a request past the message limit is refused and changes nothing") {
  Coordinator c;
  v1::EnqueueRequest big;
  const std::string padding(4000, 'x');
  for (int i = 0; big.ByteSizeLong() <= size_t{auth::kMaxRequestMessageBytes}; ++i) {
    big.add_paths(c.lib + "/" + std::to_string(i) + padding + ".mkv");
  }
  v1::EnqueueResponse out;
  // A client without our channel limits sends it: the coordinator refuses it.
  auto raw = v1::AdminService::NewStub(
      grpc::CreateChannel(c.server->address(), grpc::InsecureChannelCredentials()));
  CHECK(raw->Enqueue(Ctx().get(), big, &out).error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Our own clients refuse to send it at all.
  CHECK(c.admin->Enqueue(Ctx().get(), big, &out).error_code() ==
        grpc::StatusCode::RESOURCE_EXHAUSTED);
  v1::ListJobsResponse jobs;
  REQUIRE(c.admin->ListJobs(Ctx().get(), v1::ListJobsRequest(), &jobs).ok());
  CHECK(jobs.jobs_size() == 0);
}

TEST_CASE("a job log past gRPC's default 4 MiB still reaches mkvctl and the dashboard") {
  Coordinator c;
  v1::EnqueueRequest enq;
  enq.add_paths(c.lib + "/a.mkv");
  v1::EnqueueResponse enq_out;
  REQUIRE(c.admin->Enqueue(Ctx().get(), enq, &enq_out).ok());
  REQUIRE(Register(c, "vm1", "").ok());
  v1::ClaimJobRequest claim;
  claim.set_agent("vm1");
  v1::ClaimJobResponse task;
  REQUIRE(c.agent->ClaimJob(Ctx().get(), claim, &task).ok());
  REQUIRE(task.has_task());
  const std::string text(1500, 'l');
  int sent = 0;
  for (int call = 0; call < 5; ++call) {  // 5 x 800 x 1.5 KB = 6 MB, each call well below 4 MiB
    v1::AppendLogRequest log;
    log.set_lease_id(task.task().lease_id());
    log.set_task_id(task.task().task_id());
    for (int i = 0; i < 800; ++i, ++sent) {
      v1::LogLine* line = log.add_lines();
      line->set_source("vm1");
      line->set_level("info");
      line->set_text(text);
    }
    v1::AppendLogResponse ignored;
    REQUIRE(c.agent->AppendLog(Ctx().get(), log, &ignored).ok());
  }
  v1::GetJobLogRequest get;
  get.set_id(enq_out.results(0).job_id());
  v1::GetJobLogResponse lines;
  const grpc::Status s = c.admin->GetJobLog(Ctx().get(), get, &lines);
  INFO(s.error_message());
  REQUIRE(s.ok());
  CHECK(lines.ByteSizeLong() > size_t{4} << 20);
  CHECK(lines.lines_size() >= sent);
}

TEST_CASE("WatchEvents: at most max_event_watchers streams; a freed slot is usable again") {
  Coordinator c(/*max_watchers=*/2);
  struct Watch {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<v1::Event>> reader;
  };
  auto open = [&](Watch& w) { w.reader = c.admin->WatchEvents(&w.ctx, v1::WatchEventsRequest()); };
  // An event each admitted stream must receive (so it is known to be served, not queued).
  auto poke = [&] {
    v1::DrainAgentRequest drain;
    drain.set_name("vm1");
    v1::Agent out;
    REQUIRE(c.admin->DrainAgent(Ctx().get(), drain, &out).ok());
  };
  REQUIRE(Register(c, "vm1", "").ok());
  Watch a, b, refused;
  open(a);
  open(b);
  while (c.server->bus().subscriber_count() < 2)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  poke();
  v1::Event ev;
  REQUIRE(a.reader->Read(&ev));
  REQUIRE(b.reader->Read(&ev));

  // A deadline, so that a stream admitted by mistake fails the test instead of hanging it.
  refused.ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  open(refused);
  CHECK_FALSE(refused.reader->Read(&ev));
  const grpc::Status status = refused.reader->Finish();
  CHECK(status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK_THAT(status.error_message(), Catch::Contains("max_event_watchers"));

  a.ctx.TryCancel();
  a.reader->Finish();
  while (c.server->bus().subscriber_count() > 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Watch again;
  open(again);
  while (c.server->bus().subscriber_count() < 2)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  poke();
  CHECK(again.reader->Read(&ev));
  b.ctx.TryCancel();
  again.ctx.TryCancel();
  b.reader->Finish();
  again.reader->Finish();
}

// A job event of about `bytes` (a chunked job whose chunks carry long errors).
StoreEvent BigJobEvent(int64_t id, size_t bytes) {
  StoreEvent ev;
  ev.kind = StoreEvent::Kind::kJobChanged;
  ev.job.id = id;
  for (int i = 0; i < 16; ++i) {
    Chunk chunk;
    chunk.index = i;
    chunk.error = std::string(bytes / 16, 'e');
    ev.job.chunks.push_back(chunk);
  }
  return ev;
}

TEST_CASE("a slow watcher is dropped once it holds the byte bound, not only after N events") {
  constexpr size_t kMaxBytes = size_t{1} << 20;
  constexpr size_t kEventBytes = size_t{64} << 10;
  EventBus bus(/*capacity=*/1024, kMaxBytes);
  auto slow = bus.Subscribe();
  auto fast = bus.Subscribe();
  const StoreEvent big = BigJobEvent(1, kEventBytes);
  CHECK(ApproximateBytes(big) >= kEventBytes);
  int published = 0;
  while (!slow->closed() && published < 1024) {
    bus.Publish(big);
    ++published;
    REQUIRE(fast->Next(absl::ZeroDuration()).has_value());  // keeps up: never dropped
  }
  CHECK(slow->dropped());
  CHECK(published <= static_cast<int>(kMaxBytes / kEventBytes) + 1);
  CHECK_FALSE(fast->closed());
  CHECK(bus.subscriber_count() == 1);
  // One event larger than the whole bound is still delivered to a watcher that keeps up.
  bus.Publish(BigJobEvent(2, kMaxBytes * 2));
  auto got = fast->Next(absl::ZeroDuration());
  REQUIRE(got.has_value());
  CHECK(got->job.id == 2);
}

TEST_CASE("register: a name held by another live agent is refused; a restart gets it back") {
  Coordinator c;
  REQUIRE(Register(c, "vm1", "install-a").ok());
  // A second machine configured with the same name.
  const grpc::Status taken = Register(c, "vm1", "install-b");
  CHECK(taken.error_code() == grpc::StatusCode::ALREADY_EXISTS);
  CHECK_THAT(taken.error_message(), Catch::Contains("vm1") && Catch::Contains("--name"));
  // The holder restarting (same instance id) or re-registering is fine, and the record is its.
  REQUIRE(Register(c, "vm1", "install-a").ok());
  // Agents that send no instance id are never refused and never refuse.
  CHECK(Register(c, "vm1", "").ok());
  CHECK(Register(c, "vm1", "install-a").ok());
  // Keeping the name alive by heartbeats keeps refusing the namesake...
  c.clock.Advance(absl::ToInt64Milliseconds(kDefaultLeaseDuration) - 1000);
  v1::HeartbeatRequest hb;
  hb.set_agent("vm1");
  v1::HeartbeatResponse hb_out;
  REQUIRE(c.agent->Heartbeat(Ctx().get(), hb, &hb_out).ok());
  c.clock.Advance(absl::ToInt64Milliseconds(kDefaultLeaseDuration) - 1000);
  CHECK(Register(c, "vm1", "install-b").error_code() == grpc::StatusCode::ALREADY_EXISTS);
  // ...and once the holder has been silent for the lease duration, the name is free.
  c.clock.Advance(2000);
  REQUIRE(Register(c, "vm1", "install-b").ok());
  CHECK(Register(c, "vm1", "install-a").error_code() == grpc::StatusCode::ALREADY_EXISTS);
  // Another name is unaffected; a malformed instance id is refused as such.
  CHECK(Register(c, "vm2", "install-a").ok());
  CHECK(Register(c, "vm3", "bad id!").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("register after a coordinator restart: the agent's instance id is accepted again") {
  const std::string dir = testing::MakeTempDir("grpc-hardening-restart");
  FakeClock clock{kT0};
  for (int run = 0; run < 2; ++run) {
    auto store = JobStore::Open(dir + "/jobs.db", JobPolicy{}, &clock, nullptr);
    REQUIRE(store.ok());
    CHECK((*store)->Register("vm1", "1.0", {}, "install-a").ok());
    CHECK(absl::IsAlreadyExists((*store)->Register("vm1", "1.0", {}, "install-b").status()));
  }
}

}  // namespace
}  // namespace mkvfleet::server
