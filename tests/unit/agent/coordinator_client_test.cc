// Every call the agent makes to the coordinator has a deadline: against a coordinator that accepts
// calls and never answers (hung, or a black-holing network), each returns DEADLINE_EXCEEDED, which
// the claim loop treats as "unreachable, retry", instead of hanging the agent.
#include "agent/coordinator_client.h"

#include <catch2/catch.hpp>
#include <thread>

#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "mkvfleet/v1/agent.grpc.pb.h"

namespace mkvfleet::agent {
namespace {

// Holds every call until the client gives up (or, as a backstop, 60 s).
class StallingCoordinator final : public v1::AgentService::Service {
 public:
  grpc::Status Register(grpc::ServerContext* c, const v1::RegisterRequest*,
                        v1::RegisterResponse*) override {
    return Stall(c);
  }
  grpc::Status ClaimJob(grpc::ServerContext* c, const v1::ClaimJobRequest*,
                        v1::ClaimJobResponse*) override {
    return Stall(c);
  }
  grpc::Status Heartbeat(grpc::ServerContext* c, const v1::HeartbeatRequest*,
                         v1::HeartbeatResponse*) override {
    return Stall(c);
  }
  grpc::Status ReportStep(grpc::ServerContext* c, const v1::ReportStepRequest*,
                          v1::ReportStepResponse*) override {
    return Stall(c);
  }
  grpc::Status AppendLog(grpc::ServerContext* c, const v1::AppendLogRequest*,
                         v1::AppendLogResponse*) override {
    return Stall(c);
  }
  grpc::Status ReleaseTask(grpc::ServerContext* c, const v1::ReleaseTaskRequest*,
                           v1::ReleaseTaskResponse*) override {
    return Stall(c);
  }
  grpc::Status GetServerInfo(grpc::ServerContext* c, const v1::ServerInfoRequest*,
                             v1::ServerInfo*) override {
    return Stall(c);
  }

 private:
  static grpc::Status Stall(grpc::ServerContext* c) {
    for (int i = 0; i < 6000 && !c->IsCancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return grpc::Status::OK;
  }
};

TEST_CASE("every coordinator call ends at its deadline when the coordinator never answers") {
  StallingCoordinator service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  REQUIRE(server);
  REQUIRE(port > 0);

  auth::ClientConnectOptions target;
  target.target = "127.0.0.1:" + std::to_string(port);
  CoordinatorClient client(target, "token", /*rpc_timeout=*/absl::Milliseconds(300));
  auto unreachable = [](const absl::Status& s) {
    INFO(s.message());
    return absl::IsDeadlineExceeded(s) && IsUnreachable(s);
  };
  RegisterInfo info;
  info.name = "vm1";
  CHECK(unreachable(client.Register(info).status()));
  CHECK(unreachable(client.Claim("vm1").status()));
  CHECK(unreachable(client.Heartbeat("vm1", {}, 0).status()));
  StepReport report;
  report.lease_id = "lease";
  report.task_id = 1;
  CHECK(unreachable(client.ReportStep(report)));
  CHECK(unreachable(client.AppendLog("lease", 1, "vm1", {JobLogLine{LogLevel::kInfo, "x"}})));
  CHECK(unreachable(client.ReleaseTask("lease", 1, "stopping")));
  CHECK(unreachable(client.GetServerTime().status()));
  server->Shutdown(std::chrono::system_clock::now());
}

}  // namespace
}  // namespace mkvfleet::agent
