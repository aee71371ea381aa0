// The fleet chunk_bench runs on one machine for one timed job: a fresh mkv-coordinator (its own
// state dir and output dir, short backoffs, [chunking] limits small enough for a bench title) and
// mkv-agents each pinned to one core with `taskset -c CORE` (the agent and every tool it runs
// inherit the pinning), optionally sharing one work dir. Everything lives under one run folder;
// destroying the fleet stops the agents, then the coordinator (process groups, SIGTERM then
// SIGKILL). Not thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/chunked/bench_daemon.h"

namespace mkvfleet::bench {

// Where the programs are: <bin_dir>/server/mkv-coordinator, agent/mkv-agent, ctl/mkvctl.
struct FleetPrograms {
  std::string coordinator;
  std::string agent;
  std::string mkvctl;
  static FleetPrograms In(const std::string& bin_dir);
};

// What every agent of the fleet runs with.
struct AgentSettings {
  std::string preset = "medium";                    // [media.x265.default] preset
  double crf = 20;                                  // [media.x265.default] crf
  std::string x265_params = "pools=1:frame-threads=1";  // [media.x265.default] params
  double ssim_floor = 0.5;  // [media] ssim_floor: quick presets on generated media pass verify
};

// The agent config file body for `s` (TOML).
std::string AgentToml(const AgentSettings& s);
// The coordinator config file body: short backoffs; [chunking] min_seconds 1 and
// min_chunk_seconds 0.5 so `--chunks auto` chunks a bench title of a few seconds.
std::string CoordinatorToml();

class LocalFleet {
 public:
  // Starts the coordinator with `library` as its library root, its state and output under
  // `run_dir` (created), and waits (up to 60 s) until it listens. `cancel` (may be null) aborts
  // the waits. Errors: the coordinator's own (with its stderr tail), DeadlineExceeded, Cancelled.
  static absl::StatusOr<std::unique_ptr<LocalFleet>> Start(const FleetPrograms& programs,
                                                           const std::string& run_dir,
                                                           const std::string& library,
                                                           const std::atomic<bool>* cancel);
  ~LocalFleet();
  LocalFleet(const LocalFleet&) = delete;
  LocalFleet& operator=(const LocalFleet&) = delete;

  // Starts agent `name` pinned to `core` with `settings`, its work dir under the run folder, and
  // `--shared-work-dir <run folder>/shared` when `shared` is true.
  absl::Status StartAgent(const std::string& name, int core, const AgentSettings& settings,
                          bool shared);
  // Waits (up to 60 s) until every started agent is registered with the coordinator.
  absl::Status WaitAgentsRegistered();
  // OK while every daemon runs; else FailedPrecondition naming the first that ended, how, and
  // the tail of its stderr (e.g. "mkv-agent: unknown option --shared-work-dir").
  absl::Status CheckAlive() const;

  const std::string& address() const { return address_; }
  std::string shared_dir() const { return run_dir_ + "/shared"; }

 private:
  LocalFleet() = default;

  FleetPrograms programs_;
  std::string run_dir_;
  std::string address_;
  const std::atomic<bool>* cancel_ = nullptr;
  std::unique_ptr<BenchDaemon> coordinator_;
  std::vector<std::pair<std::string, std::unique_ptr<BenchDaemon>>> agents_;
};

}  // namespace mkvfleet::bench
