// One measured point of load_bench: a fresh coordinator with J jobs, A simulated agents for the
// warm-up and the window, then a clean stop (leases handed back, every answer awaited, audits
// done) and everything the report needs.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/load/coordinator_process.h"
#include "bench/load/job_auditor.h"
#include "bench/load/lease_tracker.h"
#include "bench/load/library_seed.h"
#include "bench/load/load_options.h"
#include "bench/load/rpc_stats.h"

namespace mkvfleet::bench {

struct PointResult {
  int jobs = 0;
  SeedResult seed;
  std::array<KindSummary, kRpcKinds> kinds;
  LatencySummary idle_floor;  // GetServerInfo one at a time before the agents start
  LatencySummary lag;         // open mode: how late scheduled calls went out
  absl::Duration window;
  ProcessUsage coordinator_start, coordinator_end;  // at the window's edges
  ProcessUsage generator_start, generator_end;
  std::string loadavg_start, loadavg_end;  // /proc/loadavg at the window's edges (other work)
  LedgerSummary ledger;
  AuditSummary audit;
  int64_t empty_claims = 0;
  int64_t heartbeats_skipped = 0;
  int64_t unexpected = 0;
  std::vector<std::string> failures;  // correctness checks that failed; empty = pass

  // Agent API calls answered per second in the window (errors included).
  double AgentRate() const;
  // Agent API calls answered OK per second in the window.
  double AgentOkRate() const;
  // Coordinator CPU milliseconds per agent API call answered OK in the window (it also pays for
  // calls the client gave up on, so this overstates the cost once calls time out).
  double CpuMsPerCall() const;
};

// Runs one point with the first `jobs` of `paths` under `library`, in `run_dir` (created).
// Errors: the coordinator did not start or died, or seeding failed. Correctness failures are
// not errors: they are listed in PointResult::failures.
absl::StatusOr<PointResult> RunPoint(const LoadOptions& options, int jobs,
                                     const std::vector<std::string>& paths,
                                     const std::string& library, const std::string& run_dir);

}  // namespace mkvfleet::bench
