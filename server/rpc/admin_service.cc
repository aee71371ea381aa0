// AdminService handlers: authorize, validate, one store/scan call, reply; WatchEvents streams.
#include "server/rpc/admin_service.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/constants.h"
#include "server/rpc/admin_convert.h"
#include "server/rpc/admission.h"
#include "server/rpc/grpc_status.h"
#include "server/rpc/jobs_convert.h"
#include "server/rpc/scan_reply.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::server {

namespace {
std::vector<std::string> Paths(const google::protobuf::RepeatedPtrField<std::string>& in) {
  return std::vector<std::string>(in.begin(), in.end());
}
}  // namespace

grpc::Status AdminServiceImpl::Enqueue(grpc::ServerContext* context,
                                       const v1::EnqueueRequest* request,
                                       v1::EnqueueResponse* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  auto records = EnqueuePaths(store_, library_, Paths(request->paths()), request->plan_override(),
                              /*dry_run=*/false, request->chunks(), request->repair_rpus());
  if (!records.ok()) return ToGrpcStatus(records.status());
  ToProto(*records, response);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::Scan(grpc::ServerContext* context, const v1::ScanRequest* request,
                                    grpc::ServerWriter<v1::ScanReply>* writer) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  const absl::Time start = absl::Now();
  auto records = server::Scan(store_, library_, FromProto(request->mode()),
                              Paths(request->paths()), request->plan_override(),
                              request->dry_run());
  if (!records.ok()) return ToGrpcStatus(records.status());
  const int64_t elapsed_ms = absl::ToInt64Milliseconds(absl::Now() - start);
  const v1::ScanSummary summary = SummarizeScan(*records, elapsed_ms);
  spdlog::info(
      "scan done files={} created={} duplicate={} requeued={} refused={} would_create={} ms={}",
      summary.files(), summary.created(), summary.duplicate(), summary.requeued(),
      summary.refused(), summary.would_create(), elapsed_ms);
  if (!WriteScanReplies(*records, request->verbose(), summary, kScanReplyBatch,
                        [writer](const v1::ScanReply& r) { return writer->Write(r); })) {
    return grpc::Status(grpc::StatusCode::CANCELLED,
                        "scan client went away before its results were sent (the scan itself "
                        "was applied)");
  }
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListJobs(grpc::ServerContext* context,
                                        const v1::ListJobsRequest* request,
                                        v1::ListJobsResponse* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  auto page = store_.ListJobs(FromProto(*request));
  if (!page.ok()) return ToGrpcStatus(page.status());
  ToProto(*page, response);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::CountJobs(grpc::ServerContext* context,
                                         const v1::CountJobsRequest* request,
                                         v1::CountJobsResponse* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  auto counts = store_.CountJobsByState();
  if (!counts.ok()) return ToGrpcStatus(counts.status());
  ToProto(*counts, response);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::GetJob(grpc::ServerContext* context,
                                      const v1::GetJobRequest* request, v1::Job* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  auto job = store_.GetJob(request->id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  ToProto(*job, /*with_steps=*/true, response);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::GetJobLog(grpc::ServerContext* context,
                                         const v1::GetJobLogRequest* request,
                                         v1::GetJobLogResponse* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  auto lines = store_.GetJobLog(request->id(), request->tail());
  if (!lines.ok()) return ToGrpcStatus(lines.status());
  for (const LogLine& line : *lines) ToProto(line, response->add_lines());
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ResetJob(grpc::ServerContext* context,
                                        const v1::ResetJobRequest* request, v1::Job* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  auto job = store_.Reset(request->id(), request->from_step());
  if (!job.ok()) return ToGrpcStatus(job.status());
  ToProto(*job, /*with_steps=*/true, response);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::CancelJob(grpc::ServerContext* context,
                                         const v1::CancelJobRequest* request, v1::Job* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  auto job = store_.Cancel(request->id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  ToProto(*job, /*with_steps=*/true, response);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListAgents(grpc::ServerContext* context,
                                          const v1::ListAgentsRequest* request,
                                          v1::ListAgentsResponse* response) {
  if (grpc::Status auth = AuthorizeCall(*context, Api::kAdmin, tokens_); !auth.ok()) return auth;
  (void)request;
  auto agents = store_.ListAgents();
  if (!agents.ok()) return ToGrpcStatus(agents.status());
  for (const AgentRecord& a : *agents) ToProto(a, response->add_agents());
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::DrainAgent(grpc::ServerContext* context,
                                          const v1::DrainAgentRequest* request,
                                          v1::Agent* response) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  auto agent = store_.Drain(request->name(), !request->undrain());
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  ToProto(*agent, response);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::WatchEvents(grpc::ServerContext* context,
                                           const v1::WatchEventsRequest* request,
                                           grpc::ServerWriter<v1::Event>* writer) {
  MKVFLEET_ADMIT_OR_RETURN(Api::kAdmin, context, request);
  if (watchers_.fetch_add(1) >= max_watchers_) {
    watchers_.fetch_sub(1);
    spdlog::warn("watcher refused peer={} reason=\"too many watchers\" max={}", context->peer(),
                 max_watchers_);
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("the coordinator already serves ", max_watchers_,
                                     " event watchers (max_event_watchers): close one (mkvctl "
                                     "watch, dashboards) or raise max_event_watchers"));
  }
  std::shared_ptr<EventSubscription> sub = bus_.Subscribe(request->job_id());
  // However the stream ends: the watcher slot is given back, then the subscription (so a test or
  // an operator that sees the subscriber count drop knows the slot is free too).
  struct Release {
    std::atomic<int>& watchers;
    EventBus& bus;
    const std::shared_ptr<EventSubscription>& sub;
    ~Release() {
      watchers.fetch_sub(1);
      bus.Unsubscribe(sub);
    }
  } release{watchers_, bus_, sub};
  spdlog::info("watcher connected peer={} job={}", context->peer(), request->job_id());
  while (!context->IsCancelled()) {
    std::optional<StoreEvent> ev = sub->Next(kWatchPollInterval);
    if (!ev.has_value()) {
      if (sub->closed()) break;
      continue;
    }
    v1::Event out;
    ToProto(*ev, &out);
    if (!writer->Write(out)) break;  // client went away
  }
  if (sub->dropped()) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "event watcher fell behind and was dropped: reconnect");
  }
  if (sub->closed()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "coordinator is shutting down");
  }
  return grpc::Status::OK;
}


grpc::Status AdminServiceImpl::GetServerInfo(grpc::ServerContext* context,
                                             const v1::ServerInfoRequest* /*request*/,
                                             v1::ServerInfo* response) {
  if (grpc::Status auth = AuthorizeCall(*context, Api::kAdmin, tokens_); !auth.ok()) return auth;
  response->set_server_time_ms(absl::ToUnixMillis(absl::Now()));
  return grpc::Status::OK;
}

}  // namespace mkvfleet::server
