// AgentService calls with token, deadline and status mapping (see the header).
#include "agent/coordinator_client.h"

#include "absl/strings/str_cat.h"
#include "agent/wire_conversion.h"
#include "common/status/status_macros.h"
#include "grpcpp/client_context.h"
#include "mkvfleet/v1/agent.grpc.pb.h"

namespace mkvfleet::agent {
namespace {

void Prepare(grpc::ClientContext& ctx, const std::string& token, absl::Duration timeout) {
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  auth::AddAuth(ctx, token);
}

absl::Status FromGrpc(const grpc::Status& s, const std::string& target, const char* rpc) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat("coordinator ", target, " ", rpc, ": ", s.error_message()));
}

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    default:
      return "info";
  }
}

}  // namespace

struct CoordinatorClient::Stubs {
  std::unique_ptr<v1::AgentService::Stub> agent;
};

bool IsUnreachable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

CoordinatorClient::CoordinatorClient(auth::ClientConnectOptions options, std::string token,
                                     absl::Duration rpc_timeout)
    : options_(std::move(options)), token_(std::move(token)), rpc_timeout_(rpc_timeout) {}

CoordinatorClient::~CoordinatorClient() = default;

absl::Status CoordinatorClient::Reconnect() {
  ASSIGN_OR_RETURN(auto channel, auth::MakeChannel(options_));
  absl::MutexLock lock(&mu_);
  auto stubs = std::make_shared<Stubs>();
  stubs->agent = v1::AgentService::NewStub(channel);
  stub_ = std::move(stubs);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<CoordinatorClient::Stubs>> CoordinatorClient::Stub() {
  {
    absl::MutexLock lock(&mu_);
    if (stub_) return stub_;
  }
  RETURN_IF_ERROR(Reconnect());
  absl::MutexLock lock(&mu_);
  return stub_;
}

absl::StatusOr<RegisterReply> CoordinatorClient::Register(const RegisterInfo& info) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  v1::RegisterRequest req;
  req.set_name(info.name);
  req.set_version(info.version);
  req.set_instance_id(info.instance_id);
  v1::Capabilities* caps = req.mutable_capabilities();
  for (const auto& t : info.tools) {
    if (t.path.empty()) continue;
    v1::Tool* tool = caps->add_tools();
    tool->set_name(t.name);
    tool->set_version(t.version);
    tool->set_path(t.path);
  }
  caps->set_threads(info.threads);
  caps->set_free_temp_bytes(info.free_temp_bytes);
  caps->set_work_dir(info.work_dir);
  caps->set_shared_work_dir(info.shared_work_dir);
  v1::RegisterResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx, token_, rpc_timeout_);
  RETURN_IF_ERROR(FromGrpc(stub->agent->Register(&ctx, req, &resp), options_.target, "Register"));
  RegisterReply reply;
  reply.heartbeat_interval = absl::Milliseconds(resp.heartbeat_interval_ms());
  reply.lease_duration = absl::Milliseconds(resp.lease_duration_ms());
  reply.drained = resp.drained();
  return reply;
}

absl::StatusOr<std::optional<Task>> CoordinatorClient::Claim(const std::string& agent) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  v1::ClaimJobRequest req;
  req.set_agent(agent);
  v1::ClaimJobResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx, token_, rpc_timeout_);
  RETURN_IF_ERROR(FromGrpc(stub->agent->ClaimJob(&ctx, req, &resp), options_.target, "ClaimJob"));
  if (!resp.has_task()) return std::optional<Task>();
  return std::optional<Task>(TaskFromProto(resp.task()));
}

absl::StatusOr<HeartbeatReply> CoordinatorClient::Heartbeat(
    const std::string& agent, const std::vector<LeaseProgressInfo>& leases,
    int64_t free_temp_bytes) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  v1::HeartbeatRequest req;
  req.set_agent(agent);
  req.set_free_temp_bytes(free_temp_bytes);
  for (const auto& l : leases) {
    v1::LeaseProgress* lp = req.add_leases();
    lp->set_lease_id(l.lease_id);
    lp->set_task_id(l.task_id);
    lp->set_step(l.step);
    ProgressToProto(l.progress, lp->mutable_progress());
  }
  v1::HeartbeatResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx, token_, rpc_timeout_);
  RETURN_IF_ERROR(FromGrpc(stub->agent->Heartbeat(&ctx, req, &resp), options_.target, "Heartbeat"));
  HeartbeatReply reply;
  reply.drained = resp.drained();
  for (const auto& id : resp.revoked_lease_ids()) reply.revoked_lease_ids.push_back(id);
  for (const auto& [id, ms] : resp.renewed_deadlines_ms()) {
    reply.renewed_deadlines[id] = absl::FromUnixMillis(ms);
  }
  return reply;
}

absl::Status CoordinatorClient::ReportStep(const StepReport& r) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  v1::ReportStepRequest req;
  req.set_lease_id(r.lease_id);
  req.set_task_id(r.task_id);
  req.set_step_index(r.step_index);
  req.set_step_name(r.step_name);
  switch (r.event) {
    case StepReport::Event::kStarted:
      req.set_event(v1::STEP_EVENT_STARTED);
      break;
    case StepReport::Event::kProgress:
      req.set_event(v1::STEP_EVENT_PROGRESS);
      break;
    case StepReport::Event::kFinished:
      req.set_event(v1::STEP_EVENT_FINISHED);
      break;
    case StepReport::Event::kFailed:
      req.set_event(v1::STEP_EVENT_FAILED);
      break;
  }
  ProgressToProto(r.progress, req.mutable_progress());
  if (r.event == StepReport::Event::kFinished) StepResultToProto(r.result, &req);
  req.set_error(r.error);
  req.set_retryable(r.retryable);
  for (int index : r.redo_chunks) req.add_redo_chunks(index);
  req.set_bytes_read(r.bytes_read);
  req.set_bytes_written(r.bytes_written);
  v1::ReportStepResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx, token_, rpc_timeout_);
  return FromGrpc(stub->agent->ReportStep(&ctx, req, &resp), options_.target, "ReportStep");
}

absl::Status CoordinatorClient::AppendLog(const std::string& lease_id, int64_t task_id,
                                          const std::string& source,
                                          const std::vector<JobLogLine>& lines) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  v1::AppendLogRequest req;
  req.set_lease_id(lease_id);
  req.set_task_id(task_id);
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  for (const auto& l : lines) {
    v1::LogLine* line = req.add_lines();
    line->set_time_ms(now_ms);
    line->set_source(source);
    line->set_level(LevelName(l.level));
    line->set_text(l.text);
  }
  v1::AppendLogResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx, token_, rpc_timeout_);
  return FromGrpc(stub->agent->AppendLog(&ctx, req, &resp), options_.target, "AppendLog");
}

absl::Status CoordinatorClient::ReleaseTask(const std::string& lease_id, int64_t task_id,
                                            const std::string& reason) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  v1::ReleaseTaskRequest req;
  req.set_lease_id(lease_id);
  req.set_task_id(task_id);
  req.set_reason(reason);
  v1::ReleaseTaskResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx, token_, rpc_timeout_);
  return FromGrpc(stub->agent->ReleaseTask(&ctx, req, &resp), options_.target, "ReleaseTask");
}

absl::StatusOr<absl::Time> CoordinatorClient::GetServerTime() {
  ASSIGN_OR_RETURN(auto stub, Stub());
  v1::ServerInfoRequest req;
  v1::ServerInfo resp;
  grpc::ClientContext ctx;
  Prepare(ctx, token_, rpc_timeout_);
  RETURN_IF_ERROR(
      FromGrpc(stub->agent->GetServerInfo(&ctx, req, &resp), options_.target, "GetServerInfo"));
  return absl::FromUnixMillis(resp.server_time_ms());
}

}  // namespace mkvfleet::agent
