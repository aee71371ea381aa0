// The coordinator's gRPC services in-process on 127.0.0.1:0: token checks per API, the agent flow
// (register, claim with output path, report, stale lease), admin calls, scans and WatchEvents.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/auth/client_channel.h"
#include "mkvfleet/v1/admin.grpc.pb.h"
#include "mkvfleet/v1/agent.grpc.pb.h"
#include "server/coordinator_server.h"
#include "tests/test_paths.h"
#include "tests/unit/server/in_process_coordinator.h"

namespace mkvfleet::server {
namespace {
namespace fs = std::filesystem;

constexpr char kAdmin[] = "admin-secret-0123456789";
constexpr char kAgent[] = "agent-secret-0123456789";

struct Coordinator {
  std::string dir = testing::MakeTempDir("services-test");
  std::string lib = dir + "/lib";
  FakeClock clock{1'700'000'000'000};
  std::unique_ptr<CoordinatorServer> server;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::AgentService::Stub> agent;

  explicit Coordinator(bool tokens = true) {
    fs::create_directories(lib + "/Movies");
    std::ofstream(lib + "/Movies/a.mkv") << "aaaa";
    std::ofstream(lib + "/Movies/b.mkv") << "bb";
    std::ofstream(lib + "/notes.txt") << "x";
    CoordinatorConfig config;
    config.state_dir = dir + "/state";
    config.library_roots = {lib};
    config.output_dir = dir + "/out";
    if (tokens) {
      config.admin_token = kAdmin;
      config.agent_token = kAgent;
    }
    testing::InProcessCoordinator c = testing::StartInProcessCoordinator(config, &clock);
    server = std::move(c.server);
    admin = v1::AdminService::NewStub(c.channel);
    agent = v1::AgentService::NewStub(c.channel);
  }
};

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  auth::AddAuth(*ctx, token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return ctx;
}

TEST_CASE("tokens: each API takes its own token only") {
  Coordinator c;
  v1::ListJobsRequest list;
  v1::ListJobsResponse jobs;
  CHECK(c.admin->ListJobs(Ctx("").get(), list, &jobs).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(c.admin->ListJobs(Ctx("wrong").get(), list, &jobs).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  auto denied = c.admin->ListJobs(Ctx(kAgent).get(), list, &jobs);
  CHECK(denied.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(denied.error_message(), !Catch::Contains(kAgent));
  CHECK(c.admin->ListJobs(Ctx(kAdmin).get(), list, &jobs).ok());

  v1::RegisterRequest reg;
  reg.set_name("vm1");
  v1::RegisterResponse reg_out;
  CHECK(c.agent->Register(Ctx("").get(), reg, &reg_out).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(c.agent->Register(Ctx(kAdmin).get(), reg, &reg_out).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  REQUIRE(c.agent->Register(Ctx(kAgent).get(), reg, &reg_out).ok());
  CHECK(reg_out.lease_duration_ms() == 60'000);
  CHECK(reg_out.heartbeat_interval_ms() == 5'000);
}

TEST_CASE("without tokens on loopback the APIs are open") {
  Coordinator c(/*tokens=*/false);
  v1::ListJobsResponse jobs;
  CHECK(c.admin->ListJobs(Ctx("").get(), {}, &jobs).ok());
}

TEST_CASE("agent flow over gRPC") {
  Coordinator c;
  v1::EnqueueRequest enq;
  enq.add_paths(c.lib + "/Movies/a.mkv");
  enq.add_paths(c.lib + "/notes.txt");
  enq.add_paths(c.lib + "/../lib/Movies/b.mkv");
  v1::EnqueueResponse enq_out;
  REQUIRE(c.admin->Enqueue(Ctx(kAdmin).get(), enq, &enq_out).ok());
  REQUIRE(enq_out.results_size() == 3);
  CHECK(enq_out.results(0).outcome() == v1::ENQUEUE_OUTCOME_CREATED);
  CHECK(enq_out.results(1).outcome() == v1::ENQUEUE_OUTCOME_REFUSED);
  CHECK_THAT(enq_out.results(1).reason(), Catch::Contains("not an .mkv"));
  CHECK(enq_out.results(2).outcome() == v1::ENQUEUE_OUTCOME_REFUSED);
  const int64_t job_id = enq_out.results(0).job_id();

  v1::RegisterRequest reg;
  reg.set_name("vm1");
  v1::RegisterResponse reg_out;
  REQUIRE(c.agent->Register(Ctx(kAgent).get(), reg, &reg_out).ok());

  v1::ClaimJobRequest claim;
  claim.set_agent("vm1");
  v1::ClaimJobResponse claim_out;
  REQUIRE(c.agent->ClaimJob(Ctx(kAgent).get(), claim, &claim_out).ok());
  REQUIRE(claim_out.has_task());
  const v1::Task& task = claim_out.task();
  CHECK(task.job().id() == job_id);
  CHECK(task.job().state() == v1::JOB_STATE_RUNNING);
  CHECK(task.output_path() == fs::weakly_canonical(c.dir + "/out").string() + "/Movies/a.mkv");
  CHECK(task.library_root() == fs::canonical(c.lib).string());
  CHECK(task.relative_path() == "Movies/a.mkv");
  CHECK(task.resume_from_step() == 0);
  CHECK_FALSE(task.resume_reason().empty());

  v1::ClaimJobResponse none;
  REQUIRE(c.agent->ClaimJob(Ctx(kAgent).get(), claim, &none).ok());
  CHECK_FALSE(none.has_task());

  v1::ReportStepRequest rep;
  rep.set_lease_id(task.lease_id());
  rep.set_task_id(task.task_id());
  rep.set_step_index(0);
  rep.set_step_name("publish");
  rep.set_event(v1::STEP_EVENT_FINISHED);
  rep.set_outcome(v1::TASK_OUTCOME_COMPLETED);
  SECTION("an invalid report is refused before the store sees it") {
    v1::ReportStepResponse out;
    auto st = c.agent->ReportStep(Ctx(kAgent).get(), rep, &out);
    CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(st.error_message(), Catch::Contains("output_path"));
  }
  SECTION("a stale lease is refused with FAILED_PRECONDITION") {
    rep.set_lease_id("not-the-lease");
    rep.set_output_path("/x.mkv");
    v1::ReportStepResponse out;
    CHECK(c.agent->ReportStep(Ctx(kAgent).get(), rep, &out).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
  }
  SECTION("completion, then admin reads") {
    rep.set_output_path(task.output_path());
    v1::ReportStepResponse out;
    REQUIRE(c.agent->ReportStep(Ctx(kAgent).get(), rep, &out).ok());
    CHECK(out.job_state() == v1::JOB_STATE_COMPLETED);
    v1::GetJobRequest get;
    get.set_id(job_id);
    v1::Job job;
    REQUIRE(c.admin->GetJob(Ctx(kAdmin).get(), get, &job).ok());
    CHECK(job.state() == v1::JOB_STATE_COMPLETED);
    CHECK(job.output() == task.output_path());
    CHECK(job.steps_size() == 1);
    v1::GetJobLogRequest log;
    log.set_id(job_id);
    v1::GetJobLogResponse log_out;
    REQUIRE(c.admin->GetJobLog(Ctx(kAdmin).get(), log, &log_out).ok());
    CHECK(log_out.lines_size() >= 3);
    v1::CancelJobRequest cancel;
    cancel.set_id(job_id);
    CHECK(c.admin->CancelJob(Ctx(kAdmin).get(), cancel, &job).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
    v1::ResetJobRequest reset;
    reset.set_id(job_id);
    REQUIRE(c.admin->ResetJob(Ctx(kAdmin).get(), reset, &job).ok());
    CHECK(job.state() == v1::JOB_STATE_PENDING);
  }
  SECTION("unknown ids and bad requests") {
    v1::GetJobRequest get;
    get.set_id(424242);
    v1::Job job;
    CHECK(c.admin->GetJob(Ctx(kAdmin).get(), get, &job).error_code() ==
          grpc::StatusCode::NOT_FOUND);
    get.set_id(0);
    CHECK(c.admin->GetJob(Ctx(kAdmin).get(), get, &job).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    v1::ClaimJobRequest bad;
    bad.set_agent("has space");
    v1::ClaimJobResponse out;
    CHECK(c.agent->ClaimJob(Ctx(kAgent).get(), bad, &out).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
    bad.set_agent("ghost");
    CHECK(c.agent->ClaimJob(Ctx(kAgent).get(), bad, &out).error_code() ==
          grpc::StatusCode::NOT_FOUND);
  }
  SECTION("drain stops claims; the agents list shows it") {
    v1::DrainAgentRequest drain;
    drain.set_name("vm1");
    v1::Agent agent;
    REQUIRE(c.admin->DrainAgent(Ctx(kAdmin).get(), drain, &agent).ok());
    CHECK(agent.drained());
    CHECK(agent.current_job_id() == job_id);
    v1::ListAgentsResponse agents;
    REQUIRE(c.admin->ListAgents(Ctx(kAdmin).get(), {}, &agents).ok());
    REQUIRE(agents.agents_size() == 1);
    CHECK(agents.agents(0).status() == v1::AGENT_STATUS_DRAINING);
    v1::ClaimJobResponse out;
    CHECK(c.agent->ClaimJob(Ctx(kAgent).get(), claim, &out).error_code() ==
          grpc::StatusCode::FAILED_PRECONDITION);
  }
  SECTION("lease expiry through the reaper's operation, then a late heartbeat is revoked") {
    c.clock.Advance(60'000);
    REQUIRE(c.server->store().ExpireLeases().ok());
    v1::HeartbeatRequest hb;
    hb.set_agent("vm1");
    auto* l = hb.add_leases();
    l->set_lease_id(task.lease_id());
    l->set_task_id(task.task_id());
    v1::HeartbeatResponse hb_out;
    REQUIRE(c.agent->Heartbeat(Ctx(kAgent).get(), hb, &hb_out).ok());
    REQUIRE(hb_out.revoked_lease_ids_size() == 1);
    CHECK(hb_out.revoked_lease_ids(0) == task.lease_id());
  }
}

// Runs a Scan to the end of its stream: every result received and the last summary.
struct ScanRun {
  grpc::Status status;
  std::vector<v1::EnqueueResult> results;
  v1::ScanSummary summary;
};
ScanRun RunScan(v1::AdminService::Stub& admin, const v1::ScanRequest& request) {
  ScanRun run;
  auto ctx = Ctx(kAdmin);
  auto reader = admin.Scan(ctx.get(), request);
  for (v1::ScanReply reply; reader->Read(&reply);) {
    run.results.insert(run.results.end(), reply.results().begin(), reply.results().end());
    if (reply.has_summary()) run.summary = reply.summary();
  }
  run.status = reader->Finish();
  return run;
}

TEST_CASE("scans: full dry run, files, test file") {
  Coordinator c;
  v1::ScanRequest scan;
  scan.set_mode(v1::SCAN_MODE_FULL);
  scan.set_dry_run(true);
  scan.set_verbose(true);
  ScanRun out = RunScan(*c.admin, scan);
  REQUIRE(out.status.ok());
  REQUIRE(out.results.size() == 2);
  CHECK(out.results[0].outcome() == v1::ENQUEUE_OUTCOME_WOULD_CREATE);
  CHECK(out.summary.would_create() == 2);
  v1::ListJobsResponse jobs;
  REQUIRE(c.admin->ListJobs(Ctx(kAdmin).get(), {}, &jobs).ok());
  CHECK(jobs.jobs_size() == 0);

  scan.set_dry_run(false);
  out = RunScan(*c.admin, scan);
  REQUIRE(out.status.ok());
  REQUIRE(out.results.size() == 2);
  CHECK(out.results[0].outcome() == v1::ENQUEUE_OUTCOME_CREATED);
  out = RunScan(*c.admin, scan);
  REQUIRE(out.results.size() == 2);
  CHECK(out.results[0].outcome() == v1::ENQUEUE_OUTCOME_DUPLICATE);

  v1::ScanRequest test_file;
  test_file.set_mode(v1::SCAN_MODE_TEST_FILE);
  out = RunScan(*c.admin, test_file);
  CHECK(out.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(out.status.error_message(), Catch::Contains("test_file"));
  CHECK(out.results.empty());

  v1::ScanRequest files;
  files.set_mode(v1::SCAN_MODE_FILES);
  CHECK(RunScan(*c.admin, files).status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("WatchEvents streams committed changes") {
  Coordinator c;
  auto ctx = Ctx(kAdmin);
  auto reader = c.admin->WatchEvents(ctx.get(), v1::WatchEventsRequest{});
  // Wait until the server has subscribed before producing the change.
  for (int i = 0; i < 200 && c.server->bus().subscriber_count() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(c.server->bus().subscriber_count() == 1);
  v1::EnqueueRequest enq;
  enq.add_paths(c.lib + "/Movies/a.mkv");
  v1::EnqueueResponse enq_out;
  REQUIRE(c.admin->Enqueue(Ctx(kAdmin).get(), enq, &enq_out).ok());
  bool saw_job = false;
  v1::Event ev;
  for (int i = 0; i < 5 && !saw_job && reader->Read(&ev); ++i) {
    saw_job = ev.kind() == v1::EVENT_KIND_JOB_CHANGED &&
              ev.job().id() == enq_out.results(0).job_id() &&
              ev.job().state() == v1::JOB_STATE_PENDING;
  }
  CHECK(saw_job);
  ctx->TryCancel();
  reader->Finish();
}

TEST_CASE("a watcher gets UNAVAILABLE when the coordinator shuts down") {
  Coordinator c;
  auto ctx = Ctx(kAdmin);
  auto reader = c.admin->WatchEvents(ctx.get(), v1::WatchEventsRequest{});
  for (int i = 0; i < 200 && c.server->bus().subscriber_count() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  c.server->Shutdown();
  v1::Event ev;
  while (reader->Read(&ev)) {
  }
  CHECK(reader->Finish().error_code() == grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace mkvfleet::server

namespace mkvfleet::server {
namespace {

TEST_CASE("TLS from cert/key files; clients need the CA") {
  const std::string dir = testing::MakeTempDir("tls-test");
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                          "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
                          key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    WARN("openssl is not available: TLS test skipped");
    return;
  }
  CoordinatorConfig config;
  config.listen = "127.0.0.1:0";
  config.state_dir = dir + "/state";
  config.tls_cert_file = cert;
  config.tls_key_file = key;
  config.admin_token = kAdmin;
  config.agent_token = kAgent;

  SECTION("a TLS client with the CA gets through; a plaintext client does not") {
    auto server = CoordinatorServer::Start(config);
    REQUIRE(server.ok());
    auth::ClientConnectOptions tls;
    tls.target = (*server)->address();
    tls.tls_ca_file = cert;
    tls.tls_server_name = "localhost";
    auto channel = auth::MakeChannel(tls);
    REQUIRE(channel.ok());
    v1::ListJobsResponse jobs;
    auto status = v1::AdminService::NewStub(*channel)->ListJobs(Ctx(kAdmin).get(), {}, &jobs);
    CHECK(status.ok());
    INFO(status.error_message());

    auth::ClientConnectOptions plain;
    plain.target = (*server)->address();
    auto plain_channel = auth::MakeChannel(plain);
    REQUIRE(plain_channel.ok());
    auto ctx = Ctx(kAdmin);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    CHECK_FALSE(v1::AdminService::NewStub(*plain_channel)->ListJobs(ctx.get(), {}, &jobs).ok());
  }
  SECTION("unreadable TLS files and CA files are clear errors") {
    config.tls_key_file = dir + "/missing.pem";
    auto server = CoordinatorServer::Start(config);
    REQUIRE_FALSE(server.ok());
    CHECK_THAT(std::string(server.status().message()), Catch::Contains("missing.pem"));
    auth::ClientConnectOptions tls;
    tls.target = "127.0.0.1:1";
    tls.tls_ca_file = dir + "/no-ca.pem";
    auto channel = auth::MakeChannel(tls);
    CHECK(channel.status().code() == absl::StatusCode::kNotFound);
    CHECK(auth::MakeChannel({}).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mkvfleet::server
