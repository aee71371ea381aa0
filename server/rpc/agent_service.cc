// AgentService handlers: authorize, validate, one store operation, reply.
#include "server/rpc/agent_service.h"

#include "server/rpc/admission.h"
#include "server/rpc/agent_convert.h"
#include "server/rpc/grpc_status.h"
#include "server/rpc/jobs_convert.h"

namespace mkvfleet::server {

grpc::Status AgentServiceImpl::Register(grpc::ServerContext* context,
                                        const v1::RegisterRequest* request,
                                        v1::RegisterResponse* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAgent, context, request);
  auto agent = store_.Register(request->name(), request->version(),
                               FromProto(request->capabilities()), request->instance_id());
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  response->set_heartbeat_interval_ms(absl::ToInt64Milliseconds(heartbeat_interval_));
  response->set_lease_duration_ms(absl::ToInt64Milliseconds(store_.policy().lease_duration));
  response->set_server_time_ms(clock_.NowMs());
  response->set_drained(agent->drained);
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::ClaimJob(grpc::ServerContext* context,
                                        const v1::ClaimJobRequest* request,
                                        v1::ClaimJobResponse* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAgent, context, request);
  auto claimed = store_.Claim(request->agent());
  if (!claimed.ok()) return ToGrpcStatus(claimed.status());
  if (claimed->has_value()) ToProto(**claimed, response->mutable_task());
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::Heartbeat(grpc::ServerContext* context,
                                         const v1::HeartbeatRequest* request,
                                         v1::HeartbeatResponse* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAgent, context, request);
  auto result = store_.Heartbeat(request->agent(), FromProto(*request), request->free_temp_bytes());
  if (!result.ok()) return ToGrpcStatus(result.status());
  ToProto(*result, clock_.NowMs(), response);
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::ReportStep(grpc::ServerContext* context,
                                          const v1::ReportStepRequest* request,
                                          v1::ReportStepResponse* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAgent, context, request);
  auto job = store_.ReportStep(request->task_id(), FromProto(*request));
  if (!job.ok()) return ToGrpcStatus(job.status());
  response->set_job_state(ToProto(job->state));
  response->set_lease_deadline_ms(job->task.lease.deadline_ms);
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::AppendLog(grpc::ServerContext* context,
                                         const v1::AppendLogRequest* request,
                                         v1::AppendLogResponse* /*response*/) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAgent, context, request);
  return ToGrpcStatus(
      store_.AppendLog(request->task_id(), request->lease_id(), FromProto(*request)));
}

grpc::Status AgentServiceImpl::ReleaseTask(grpc::ServerContext* context,
                                           const v1::ReleaseTaskRequest* request,
                                           v1::ReleaseTaskResponse* /*response*/) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAgent, context, request);
  auto job = store_.Release(request->task_id(), request->lease_id(), request->reason());
  return ToGrpcStatus(job.status());
}


grpc::Status AgentServiceImpl::GetServerInfo(grpc::ServerContext* context,
                                             const v1::ServerInfoRequest* /*request*/,
                                             v1::ServerInfo* response) {
  if (grpc::Status auth = AuthorizeCall(*context, Api::kAgent, tokens_); !auth.ok()) return auth;
  response->set_server_time_ms(clock_.NowMs());
  return grpc::Status::OK;
}

}  // namespace mkvfleet::server
