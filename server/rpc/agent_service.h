// AgentService: the API agents call. Each handler authorizes (agent token), validates, calls one
// JobStore operation and fills the reply; domain errors keep their code (FAILED_PRECONDITION for a
// stale lease, NOT_FOUND for an unknown agent or task). Thread-safe (the store is).
#pragma once

#include "absl/time/time.h"
#include "mkvfleet/v1/agent.grpc.pb.h"
#include "server/clock.h"
#include "server/rpc/rpc_auth.h"
#include "server/store/job_store.h"

namespace mkvfleet::server {

class AgentServiceImpl final : public v1::AgentService::Service {
 public:
  // `store` and `clock` must outlive the service.
  AgentServiceImpl(JobStore& store, const Clock& clock, ApiTokens tokens,
                   absl::Duration heartbeat_interval)
      : store_(store), clock_(clock), tokens_(std::move(tokens)),
        heartbeat_interval_(heartbeat_interval) {}

  grpc::Status Register(grpc::ServerContext* context, const v1::RegisterRequest* request,
                        v1::RegisterResponse* response) override;
  grpc::Status ClaimJob(grpc::ServerContext* context, const v1::ClaimJobRequest* request,
                        v1::ClaimJobResponse* response) override;
  grpc::Status Heartbeat(grpc::ServerContext* context, const v1::HeartbeatRequest* request,
                         v1::HeartbeatResponse* response) override;
  grpc::Status ReportStep(grpc::ServerContext* context, const v1::ReportStepRequest* request,
                          v1::ReportStepResponse* response) override;
  grpc::Status AppendLog(grpc::ServerContext* context, const v1::AppendLogRequest* request,
                         v1::AppendLogResponse* response) override;
  grpc::Status ReleaseTask(grpc::ServerContext* context, const v1::ReleaseTaskRequest* request,
                           v1::ReleaseTaskResponse* response) override;
  grpc::Status GetServerInfo(grpc::ServerContext* context, const v1::ServerInfoRequest* request,
                             v1::ServerInfo* response) override;

 private:
  JobStore& store_;
  const Clock& clock_;
  const ApiTokens tokens_;
  const absl::Duration heartbeat_interval_;
};

}  // namespace mkvfleet::server
