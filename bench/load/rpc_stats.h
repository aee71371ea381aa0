// Latency and outcome of every RPC load_bench sends, per RPC kind: counts and status codes over the
// whole run (for the correctness checks) and exact latency percentiles over the measured window
// only (warm-up and shutdown excluded), so the numbers describe the steady state.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace mkvfleet::bench {

// The RPCs load_bench sends: the agent API, the gRPC floor probe and the admin calls it needs.
enum class RpcKind {
  kRegister,
  kClaimJob,
  kHeartbeat,
  kReportStep,
  kAppendLog,
  kReleaseTask,
  kGetServerInfo,  // agent API, touches no store: the gRPC floor
  kGetJob,         // admin: the audit of finished and released jobs
  kResetJob,       // admin: recycling completed jobs back to pending
  kEnqueue,        // admin: seeding (before the window)
};
inline constexpr int kRpcKinds = 10;
const char* RpcKindName(RpcKind kind);
// True for the agent API calls a real agent makes (the floor probe and admin calls excluded).
bool IsAgentRpc(RpcKind kind);

// Percentiles of one kind in the window, in microseconds; count 0 when nothing was measured.
struct LatencySummary {
  int64_t count = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0, mean_us = 0;
};

// What one kind did: window latencies, whole-run ok count and errors by status code name.
struct KindSummary {
  LatencySummary window;
  int64_t window_errors = 0;
  int64_t run_ok = 0;
  std::map<std::string, int64_t> run_errors;  // "DEADLINE_EXCEEDED" -> 12
};

// Thread-safe: Record may be called from any gRPC callback thread.
class RpcStats {
 public:
  RpcStats();
  // Latencies of calls *sent* inside [start, end) go into the window percentiles.
  void SetWindow(absl::Time start, absl::Time end);
  // One finished call: sent at `sent`, answered at `done` with `status`.
  void Record(RpcKind kind, absl::Time sent, absl::Time done, const grpc::Status& status);
  // How late scheduled sends went out (open mode): sends that waited for an earlier call of the
  // same agent, or for a busy generator, show up here. Window only.
  void RecordLag(absl::Duration lag, absl::Time scheduled);
  KindSummary Summary(RpcKind kind) const;
  LatencySummary LagSummary() const;
  absl::Duration window() const;

 private:
  struct PerKind {
    mutable absl::Mutex mu;
    std::vector<uint32_t> window_us ABSL_GUARDED_BY(mu);
    int64_t window_errors ABSL_GUARDED_BY(mu) = 0;
    int64_t run_ok ABSL_GUARDED_BY(mu) = 0;
    std::map<std::string, int64_t> run_errors ABSL_GUARDED_BY(mu);
  };
  bool InWindow(absl::Time t) const;

  std::atomic<int64_t> window_start_ns_{INT64_MAX};
  std::atomic<int64_t> window_end_ns_{INT64_MAX};
  std::array<PerKind, kRpcKinds> kinds_;
  PerKind lag_;
};

// Percentiles of `us` (sorted in place).
LatencySummary Summarize(std::vector<uint32_t>& us);
// "OK", "DEADLINE_EXCEEDED", ... for a gRPC status code.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace mkvfleet::bench
