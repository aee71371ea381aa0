// load_bench's flags, parsed and checked in one place.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/load/sim_agent.h"

namespace mkvfleet::bench {

struct LoadOptions {
  std::vector<int> job_counts;  // one measured point per entry: --jobs N, or --series A,B,C
  int agents = 1000;
  AgentBehaviour behaviour;     // mode, heartbeat, step, claim poll, release_every
  absl::Duration seconds = absl::Seconds(60);  // measured window per point
  absl::Duration warmup = absl::Seconds(10);   // before the window (registration, first claims)
  absl::Duration deadline = absl::Seconds(10); // per RPC, as mkv-agent's kRpcTimeout
  int channels = 4;             // gRPC channels (TCP connections) the agents share
  bool recycle = true;          // reset verified completed jobs to pending (table keeps its size)
  double floor_hz = 20;         // GetServerInfo probes per second during the run
  bool require_every_rpc = false;  // fail unless every RPC kind succeeded at least once (tests)
  std::string coordinator;      // mkv-coordinator binary
  std::string work_dir;         // "" = a fresh folder under $TMPDIR, removed at the end
  bool keep = false;            // keep the work dir (state, logs) for a post-mortem
  std::string coordinator_log_level = "warn";
  const std::atomic<bool>* cancel = nullptr;  // set on SIGINT/SIGTERM: stop and clean up

  // Agent RPCs per second the open schedule offers (heartbeats, step report pairs, and one
  // claim and one log line per job).
  double OfferedRate() const;
};

// Parses argv. InvalidArgument naming the flag for a bad value; the CLI's own exit (help, parse
// error) is returned as `exit_code` >= 0 with the message already printed.
struct ParsedOptions {
  LoadOptions options;
  int exit_code = -1;
};
absl::StatusOr<ParsedOptions> ParseLoadOptions(int argc, char** argv);

}  // namespace mkvfleet::bench
