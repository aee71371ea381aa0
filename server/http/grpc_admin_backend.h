// DashboardBackend over the coordinator's own AdminService, so every dashboard read and action
// goes through exactly the API mkvctl uses (same validation, same events, same auth). The
// coordinator hands it an in-process channel (grpc::Server::InProcessChannel); tests and tools
// can point it at any coordinator address.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/channel.h"
#include "mkvfleet/v1/admin.grpc.pb.h"
#include "server/http/dashboard_backend.h"

namespace mkvfleet::http {

// Unary calls that take longer than this fail with Unavailable.
inline constexpr int kAdminCallDeadlineSeconds = 10;

class GrpcAdminBackend final : public DashboardBackend {
 public:
  // `admin_token` is sent as "authorization: Bearer ..." ("" sends nothing). `health` answers
  // CheckHealth (the database check lives in the coordinator); null means always OK.
  GrpcAdminBackend(std::shared_ptr<grpc::Channel> channel, std::string admin_token,
                   std::function<absl::Status()> health);

  absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request) override;
  absl::StatusOr<v1::CountJobsResponse> CountJobs() override;
  absl::StatusOr<v1::Job> GetJob(int64_t id) override;
  absl::StatusOr<std::vector<v1::LogLine>> GetJobLog(int64_t id, int32_t tail) override;
  absl::StatusOr<std::vector<v1::Agent>> ListAgents() override;
  absl::StatusOr<v1::EnqueueResponse> Enqueue(const std::vector<std::string>& paths) override;
  absl::StatusOr<v1::Job> ResetJob(int64_t id, int32_t from_step) override;
  absl::StatusOr<v1::Job> CancelJob(int64_t id) override;
  absl::StatusOr<v1::Agent> DrainAgent(const std::string& name, bool undrain) override;
  // One WatchEvents stream on its own thread; reconnects with a capped backoff when it breaks.
  std::unique_ptr<DashboardSubscription> Subscribe(
      std::function<void(const v1::Event&)> sink) override;
  absl::Status CheckHealth() override;

 private:
  std::unique_ptr<v1::AdminService::Stub> stub_;
  const std::string admin_token_;
  const std::function<absl::Status()> health_;
};

// grpc::Status → absl::Status with the same code and message.
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace mkvfleet::http
