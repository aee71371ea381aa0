// AdminService client behind DashboardBackend; see grpc_admin_backend.h.
#include "server/http/grpc_admin_backend.h"

#include <chrono>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/auth/client_channel.h"
#include "common/status/status_macros.h"
#include "grpcpp/client_context.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::http {

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

namespace {

// A WatchEvents loop on its own thread. Destruction cancels the stream and joins.
class WatchSubscription final : public DashboardSubscription {
 public:
  WatchSubscription(v1::AdminService::Stub* stub, std::string token,
                    std::function<void(const v1::Event&)> sink)
      : stub_(stub), token_(std::move(token)), sink_(std::move(sink)) {
    thread_ = std::thread([this] { Run(); });
  }

  ~WatchSubscription() override {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    thread_.join();
  }

 private:
  void Run() {
    absl::Duration backoff = absl::Milliseconds(250);
    while (true) {
      grpc::ClientContext context;
      auth::AddAuth(context, token_);
      {
        absl::MutexLock lock(&mu_);
        if (stop_) return;
        context_ = &context;
      }
      v1::WatchEventsRequest request;
      std::unique_ptr<grpc::ClientReader<v1::Event>> reader = stub_->WatchEvents(&context, request);
      v1::Event event;
      bool got_any = false;
      while (reader->Read(&event)) {
        got_any = true;
        sink_(event);
      }
      const grpc::Status status = reader->Finish();
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
      if (stop_) return;
      if (got_any) backoff = absl::Milliseconds(250);
      spdlog::warn("dashboard event stream ended, reconnecting error=\"{}\" retry_ms={}",
                   status.error_message(), absl::ToInt64Milliseconds(backoff));
      // Sleep, but wake at once on stop.
      mu_.AwaitWithTimeout(absl::Condition(&stop_), backoff);
      if (stop_) return;
      backoff = std::min(backoff * 2, absl::Seconds(10));
    }
  }

  v1::AdminService::Stub* const stub_;
  const std::string token_;
  const std::function<void(const v1::Event&)> sink_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

}  // namespace

GrpcAdminBackend::GrpcAdminBackend(std::shared_ptr<grpc::Channel> channel, std::string admin_token,
                                   std::function<absl::Status()> health)
    : stub_(v1::AdminService::NewStub(std::move(channel))),
      admin_token_(std::move(admin_token)),
      health_(std::move(health)) {}

namespace {

// A client context with the admin token and the unary deadline.
std::unique_ptr<grpc::ClientContext> CallContext(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  auth::AddAuth(*context, token);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(kAdminCallDeadlineSeconds));
  return context;
}

}  // namespace

absl::StatusOr<v1::ListJobsResponse> GrpcAdminBackend::ListJobs(
    const v1::ListJobsRequest& request) {
  v1::ListJobsResponse response;
  auto context = CallContext(admin_token_);
  RETURN_IF_ERROR(FromGrpc(stub_->ListJobs(context.get(), request, &response)));
  return response;
}

absl::StatusOr<v1::CountJobsResponse> GrpcAdminBackend::CountJobs() {
  v1::CountJobsResponse response;
  auto context = CallContext(admin_token_);
  RETURN_IF_ERROR(FromGrpc(stub_->CountJobs(context.get(), v1::CountJobsRequest(), &response)));
  return response;
}

absl::StatusOr<v1::Job> GrpcAdminBackend::GetJob(int64_t id) {
  v1::GetJobRequest request;
  request.set_id(id);
  v1::Job job;
  auto context = CallContext(admin_token_);
  RETURN_IF_ERROR(FromGrpc(stub_->GetJob(context.get(), request, &job)));
  return job;
}

absl::StatusOr<std::vector<v1::LogLine>> GrpcAdminBackend::GetJobLog(int64_t id, int32_t tail) {
  v1::GetJobLogRequest request;
  request.set_id(id);
  request.set_tail(tail);
  v1::GetJobLogResponse response;
  auto context = CallContext(admin_token_);
  RETURN_IF_ERROR(FromGrpc(stub_->GetJobLog(context.get(), request, &response)));
  return std::vector<v1::LogLine>(response.lines().begin(), response.lines().end());
}

absl::StatusOr<std::vector<v1::Agent>> GrpcAdminBackend::ListAgents() {
  v1::ListAgentsResponse response;
  auto context = CallContext(admin_token_);
  RETURN_IF_ERROR(FromGrpc(stub_->ListAgents(context.get(), v1::ListAgentsRequest(), &response)));
  return std::vector<v1::Agent>(response.agents().begin(), response.agents().end());
}

absl::StatusOr<v1::EnqueueResponse> GrpcAdminBackend::Enqueue(
    const std::vector<std::string>& paths) {
  v1::EnqueueRequest request;
  for (const std::string& p : paths) request.add_paths(p);
  v1::EnqueueResponse response;
  auto context = CallContext(admin_token_);
  RETURN_IF_ERROR(FromGrpc(stub_->Enqueue(context.get(), request, &response)));
  return response;
}

absl::StatusOr<v1::Job> GrpcAdminBackend::ResetJob(int64_t id, int32_t from_step) {
  v1::ResetJobRequest request;
  request.set_id(id);
  request.set_from_step(from_step);
  v1::Job job;
  auto context = CallContext(admin_token_);
  RETURN_IF_ERROR(FromGrpc(stub_->ResetJob(context.get(), request, &job)));
  return job;
}

absl::StatusOr<v1::Job> GrpcAdminBackend::CancelJob(int64_t id) {
  v1::CancelJobRequest request;
  request.set_id(id);
  v1::Job job;
  auto context = CallContext(admin_token_);
  RETURN_IF_ERROR(FromGrpc(stub_->CancelJob(context.get(), request, &job)));
  return job;
}

absl::StatusOr<v1::Agent> GrpcAdminBackend::DrainAgent(const std::string& name, bool undrain) {
  v1::DrainAgentRequest request;
  request.set_name(name);
  request.set_undrain(undrain);
  v1::Agent agent;
  auto context = CallContext(admin_token_);
  RETURN_IF_ERROR(FromGrpc(stub_->DrainAgent(context.get(), request, &agent)));
  return agent;
}

std::unique_ptr<DashboardSubscription> GrpcAdminBackend::Subscribe(
    std::function<void(const v1::Event&)> sink) {
  return std::make_unique<WatchSubscription>(stub_.get(), admin_token_, std::move(sink));
}

absl::Status GrpcAdminBackend::CheckHealth() { return health_ ? health_() : absl::OkStatus(); }

}  // namespace mkvfleet::http
