// The agent's side of the AgentService: one method per RPC, domain types in and out, the agent
// token on every call, a deadline on every call, and a way to rebuild the channel after the
// coordinator restarted. Thread-safe: the claim loop and the heartbeat thread share one client.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/pipeline.h"
#include "agent/task.h"
#include "agent/tool_discovery.h"
#include "common/auth/client_channel.h"

namespace mkvfleet::agent {

// Deadline of every unary call to the coordinator.
inline constexpr absl::Duration kRpcTimeout = absl::Seconds(10);

struct RegisterInfo {
  std::string name;
  std::string version;
  std::vector<ToolInfo> tools;  // only found tools are sent
  int threads = 0;
  int64_t free_temp_bytes = 0;
  std::string work_dir;
  std::string shared_work_dir;
  std::string instance_id;  // WorkDirs::InstanceId(): tells this agent apart from a namesake
};

struct RegisterReply {
  absl::Duration heartbeat_interval;
  absl::Duration lease_duration;
  bool drained = false;
};

struct LeaseProgressInfo {
  std::string lease_id;
  int64_t task_id = 0;
  std::string step;
  Progress progress;
};

struct HeartbeatReply {
  std::vector<std::string> revoked_lease_ids;
  std::map<std::string, absl::Time> renewed_deadlines;
  bool drained = false;
};

// One ReportStep call.
struct StepReport {
  enum class Event { kStarted, kProgress, kFinished, kFailed };
  std::string lease_id;
  int64_t task_id = 0;
  int step_index = 0;
  std::string step_name;
  Event event = Event::kStarted;
  Progress progress;
  // kFinished: checkpoint, outcome, output_path and chunk_manifest (coordinator ns), reason,
  // plan, chunks
  StepResult result;
  std::string error;  // kFailed
  bool retryable = true;
  std::vector<int> redo_chunks;  // kFailed: chunks to encode again (assembly found them unusable)
  int64_t bytes_read = 0;     // kFinished/kFailed: storage I/O during the step; 0 = not measured
  int64_t bytes_written = 0;
};

struct JobLogLine {
  LogLevel level = LogLevel::kInfo;
  std::string text;
};

class CoordinatorClient {
 public:
  // Does not connect yet. `token` may be empty (coordinator without tokens). Every call gets
  // `rpc_timeout` as its deadline (tests shorten it).
  CoordinatorClient(auth::ClientConnectOptions options, std::string token,
                    absl::Duration rpc_timeout = kRpcTimeout);
  ~CoordinatorClient();

  // Builds a fresh channel (the old one may sit in a long reconnect backoff after the coordinator
  // restarted). InvalidArgument/NotFound from auth::MakeChannel.
  absl::Status Reconnect();

  // Each call maps the gRPC status to the same absl code; messages name the coordinator address.
  // UNAVAILABLE / DEADLINE_EXCEEDED: unreachable. UNAUTHENTICATED / PERMISSION_DENIED: bad token.
  // FAILED_PRECONDITION on reports: stale lease. ALREADY_EXISTS on Register: another live agent
  // holds the name.
  absl::StatusOr<RegisterReply> Register(const RegisterInfo& info);
  // nullopt when there is nothing to do.
  absl::StatusOr<std::optional<Task>> Claim(const std::string& agent);
  absl::StatusOr<HeartbeatReply> Heartbeat(const std::string& agent,
                                           const std::vector<LeaseProgressInfo>& leases,
                                           int64_t free_temp_bytes);
  absl::Status ReportStep(const StepReport& report);
  absl::Status AppendLog(const std::string& lease_id, int64_t task_id, const std::string& source,
                         const std::vector<JobLogLine>& lines);
  absl::Status ReleaseTask(const std::string& lease_id, int64_t task_id, const std::string& reason);
  // The coordinator's wall clock; changes nothing there (for `mkv-agent --check`).
  absl::StatusOr<absl::Time> GetServerTime();

  const std::string& target() const { return options_.target; }

 private:
  struct Stubs;  // the generated stub, kept out of this header
  absl::StatusOr<std::shared_ptr<Stubs>> Stub();

  const auth::ClientConnectOptions options_;
  const std::string token_;
  const absl::Duration rpc_timeout_;
  absl::Mutex mu_;
  std::shared_ptr<Stubs> stub_ ABSL_GUARDED_BY(mu_);
};

// True for errors that mean "the coordinator is not reachable right now" (retry later).
bool IsUnreachable(const absl::Status& status);

}  // namespace mkvfleet::agent
