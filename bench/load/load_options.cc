// See load_options.h.
#include "bench/load/load_options.h"

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"

#ifndef MKVFLEET_BENCH_BINARY_DIR
#define MKVFLEET_BENCH_BINARY_DIR "."
#endif

namespace mkvfleet::bench {

double LoadOptions::OfferedRate() const {
  const double hb = 1.0 / absl::ToDoubleSeconds(behaviour.heartbeat);
  const double step = absl::ToDoubleSeconds(behaviour.step);
  const double steps = static_cast<double>(SimulatedSteps().size());
  return agents * (hb + 2.0 / step + 2.0 / (steps * step));
}

absl::StatusOr<ParsedOptions> ParseLoadOptions(int argc, char** argv) {
  CLI::App app{
      "load_bench: many simulated agents against a real mkv-coordinator; per-RPC rate and "
      "latency, coordinator memory and CPU, and correctness (no double claims, every finished "
      "job completed)"};
  ParsedOptions parsed;
  LoadOptions& o = parsed.options;
  int jobs = 2000;
  std::vector<int> series;
  std::string mode = "open";
  int heartbeat_ms = 1000, step_ms = 2000, claim_poll_ms = -1, deadline_ms = 10000;
  double seconds = 60, warmup = 10;
  bool no_recycle = false;
  o.coordinator = std::string(MKVFLEET_BENCH_BINARY_DIR) + "/server/mkv-coordinator";
  app.add_option("--jobs", jobs, "jobs in the table (one point)")->check(CLI::PositiveNumber);
  app.add_option("--series", series, "table sizes, one point each, e.g. 1000,10000,100000")
      ->delimiter(',');
  app.add_option("--agents", o.agents, "simulated agents")->check(CLI::PositiveNumber);
  app.add_option("--mode", mode, "open (the agents' schedule) or saturate (back to back)")
      ->check(CLI::IsMember({"open", "saturate"}));
  app.add_option("--heartbeat-ms", heartbeat_ms, "open mode: heartbeat interval")
      ->check(CLI::PositiveNumber);
  app.add_option("--step-ms", step_ms, "open mode: time a step takes (a STARTED/FINISHED pair)")
      ->check(CLI::PositiveNumber);
  app.add_option("--claim-poll-ms", claim_poll_ms,
                 "wait after an empty claim (default 1000 open, 50 saturate)");
  app.add_option("--release-every", o.behaviour.release_every,
                 "every Nth claimed job is handed back (ReleaseTask) after its first step; 0 = never")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seconds", seconds, "measured window per point")->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "seconds before the window")->check(CLI::NonNegativeNumber);
  app.add_option("--deadline-ms", deadline_ms, "per-RPC deadline")->check(CLI::PositiveNumber);
  app.add_option("--channels", o.channels, "gRPC channels the agents share")
      ->check(CLI::Range(1, 64));
  app.add_flag("--no-recycle", no_recycle,
               "do not reset verified completed jobs to pending (the table drains)");
  app.add_option("--floor-hz", o.floor_hz, "GetServerInfo probes per second (the gRPC floor)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--require-every-rpc", o.require_every_rpc,
               "fail unless every RPC kind succeeded at least once and a job completed");
  app.add_option("--coordinator", o.coordinator, "mkv-coordinator binary");
  app.add_option("--work-dir", o.work_dir, "folder for the library, state and logs");
  app.add_flag("--keep", o.keep, "keep the work dir");
  app.add_option("--coordinator-log-level", o.coordinator_log_level,
                 "the coordinator's --log-level (info logs every claim and step)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    parsed.exit_code = app.exit(e);
    return parsed;
  }
  o.job_counts = series.empty() ? std::vector<int>{jobs} : series;
  for (int n : o.job_counts) {
    if (n <= 0) return absl::InvalidArgumentError(absl::StrCat("--series: ", n, " is not a size"));
  }
  o.behaviour.saturate = mode == "saturate";
  o.behaviour.heartbeat = absl::Milliseconds(heartbeat_ms);
  o.behaviour.step = absl::Milliseconds(step_ms);
  o.behaviour.claim_poll =
      absl::Milliseconds(claim_poll_ms >= 0 ? claim_poll_ms : (o.behaviour.saturate ? 50 : 1000));
  o.seconds = absl::Seconds(seconds);
  o.warmup = absl::Seconds(warmup);
  o.deadline = absl::Milliseconds(deadline_ms);
  o.recycle = !no_recycle;
  return parsed;
}

}  // namespace mkvfleet::bench
