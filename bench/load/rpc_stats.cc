// See rpc_stats.h.
#include "bench/load/rpc_stats.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace mkvfleet::bench {

const char* RpcKindName(RpcKind kind) {
  switch (kind) {
    case RpcKind::kRegister: return "Register";
    case RpcKind::kClaimJob: return "ClaimJob";
    case RpcKind::kHeartbeat: return "Heartbeat";
    case RpcKind::kReportStep: return "ReportStep";
    case RpcKind::kAppendLog: return "AppendLog";
    case RpcKind::kReleaseTask: return "ReleaseTask";
    case RpcKind::kGetServerInfo: return "GetServerInfo";
    case RpcKind::kGetJob: return "GetJob";
    case RpcKind::kResetJob: return "ResetJob";
    case RpcKind::kEnqueue: return "Enqueue";
  }
  return "?";
}

bool IsAgentRpc(RpcKind kind) {
  return kind == RpcKind::kRegister || kind == RpcKind::kClaimJob ||
         kind == RpcKind::kHeartbeat || kind == RpcKind::kReportStep ||
         kind == RpcKind::kAppendLog || kind == RpcKind::kReleaseTask;
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

LatencySummary Summarize(std::vector<uint32_t>& us) {
  LatencySummary s;
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    const size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(us.size()))) - 1;
    return static_cast<double>(us[std::min(i, us.size() - 1)]);
  };
  s.count = static_cast<int64_t>(us.size());
  s.p50_us = at(0.50);
  s.p90_us = at(0.90);
  s.p99_us = at(0.99);
  s.max_us = static_cast<double>(us.back());
  double sum = 0;
  for (uint32_t v : us) sum += v;
  s.mean_us = sum / static_cast<double>(us.size());
  return s;
}

RpcStats::RpcStats() = default;

void RpcStats::SetWindow(absl::Time start, absl::Time end) {
  window_start_ns_.store(absl::ToUnixNanos(start));
  window_end_ns_.store(absl::ToUnixNanos(end));
}

absl::Duration RpcStats::window() const {
  return absl::Nanoseconds(window_end_ns_.load() - window_start_ns_.load());
}

bool RpcStats::InWindow(absl::Time t) const {
  const int64_t ns = absl::ToUnixNanos(t);
  return ns >= window_start_ns_.load() && ns < window_end_ns_.load();
}

namespace {
uint32_t Micros(absl::Duration d) {
  const int64_t us = absl::ToInt64Microseconds(d);
  return static_cast<uint32_t>(std::clamp<int64_t>(us, 0, UINT32_MAX));
}
}  // namespace

void RpcStats::Record(RpcKind kind, absl::Time sent, absl::Time done, const grpc::Status& status) {
  PerKind& k = kinds_[static_cast<int>(kind)];
  const bool in_window = InWindow(sent);
  absl::MutexLock lock(&k.mu);
  if (status.ok()) {
    ++k.run_ok;
  } else {
    ++k.run_errors[StatusCodeName(status.error_code())];
    if (in_window) ++k.window_errors;
  }
  if (in_window) k.window_us.push_back(Micros(done - sent));
}

void RpcStats::RecordLag(absl::Duration lag, absl::Time scheduled) {
  if (!InWindow(scheduled)) return;
  absl::MutexLock lock(&lag_.mu);
  lag_.window_us.push_back(Micros(lag));
}

KindSummary RpcStats::Summary(RpcKind kind) const {
  const PerKind& k = kinds_[static_cast<int>(kind)];
  absl::MutexLock lock(&k.mu);
  KindSummary out;
  std::vector<uint32_t> copy = k.window_us;
  out.window = Summarize(copy);
  out.window_errors = k.window_errors;
  out.run_ok = k.run_ok;
  out.run_errors = k.run_errors;
  return out;
}

LatencySummary RpcStats::LagSummary() const {
  absl::MutexLock lock(&lag_.mu);
  std::vector<uint32_t> copy = lag_.window_us;
  return Summarize(copy);
}

}  // namespace mkvfleet::bench
