// AdminService: the API mkvctl and the web dashboard (server/http, over an in-process channel)
// call. Each handler authorizes (admin token), validates, calls the store or the library scan, and
// fills the reply. WatchEvents streams the event bus until the client goes away, the coordinator
// shuts down (UNAVAILABLE) or the watcher falls too far behind (RESOURCE_EXHAUSTED: reconnect);
// at most `max_watchers` streams are served at once, one more is refused with RESOURCE_EXHAUSTED.
// Thread-safe.
#pragma once

#include <atomic>

#include "mkvfleet/v1/admin.grpc.pb.h"
#include "server/constants.h"
#include "server/event_bus.h"
#include "server/library/library_scan.h"
#include "server/rpc/rpc_auth.h"
#include "server/store/job_store.h"

namespace mkvfleet::server {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  // `store` and `bus` must outlive the service. REQUIRES: max_watchers >= 1.
  AdminServiceImpl(JobStore& store, EventBus& bus, Library library, ApiTokens tokens,
                   int max_watchers = kDefaultMaxEventWatchers)
      : store_(store), bus_(bus), library_(std::move(library)), tokens_(std::move(tokens)),
        max_watchers_(max_watchers) {}

  grpc::Status Enqueue(grpc::ServerContext* context, const v1::EnqueueRequest* request,
                       v1::EnqueueResponse* response) override;
  // Runs the whole scan (one store transaction), then streams its results (scan_reply.h).
  grpc::Status Scan(grpc::ServerContext* context, const v1::ScanRequest* request,
                    grpc::ServerWriter<v1::ScanReply>* writer) override;
  grpc::Status ListJobs(grpc::ServerContext* context, const v1::ListJobsRequest* request,
                        v1::ListJobsResponse* response) override;
  grpc::Status CountJobs(grpc::ServerContext* context, const v1::CountJobsRequest* request,
                         v1::CountJobsResponse* response) override;
  grpc::Status GetJob(grpc::ServerContext* context, const v1::GetJobRequest* request,
                      v1::Job* response) override;
  grpc::Status GetJobLog(grpc::ServerContext* context, const v1::GetJobLogRequest* request,
                         v1::GetJobLogResponse* response) override;
  grpc::Status ResetJob(grpc::ServerContext* context, const v1::ResetJobRequest* request,
                        v1::Job* response) override;
  grpc::Status CancelJob(grpc::ServerContext* context, const v1::CancelJobRequest* request,
                         v1::Job* response) override;
  grpc::Status ListAgents(grpc::ServerContext* context, const v1::ListAgentsRequest* request,
                          v1::ListAgentsResponse* response) override;
  grpc::Status DrainAgent(grpc::ServerContext* context, const v1::DrainAgentRequest* request,
                          v1::Agent* response) override;
  grpc::Status WatchEvents(grpc::ServerContext* context, const v1::WatchEventsRequest* request,
                           grpc::ServerWriter<v1::Event>* writer) override;
  grpc::Status GetServerInfo(grpc::ServerContext* context, const v1::ServerInfoRequest* request,
                             v1::ServerInfo* response) override;

 private:
  JobStore& store_;
  EventBus& bus_;
  const Library library_;
  const ApiTokens tokens_;
  const int max_watchers_;
  std::atomic<int> watchers_{0};  // WatchEvents streams being served
};

}  // namespace mkvfleet::server
