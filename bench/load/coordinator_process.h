// The mkv-coordinator under test: started from the build dir with its own state dir, config and
// log files under the run folder, on a free loopback port; its memory (VmHWM, VmRSS) and CPU time
// read from /proc; stopped with SIGTERM (SIGKILL after a grace) when destroyed, so the bench
// leaves nothing running, also when it fails half-way.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/process/subprocess.h"

namespace mkvfleet::bench {

// What the coordinator is started with.
struct CoordinatorSetup {
  std::string binary;     // path of mkv-coordinator
  std::string run_dir;    // gets state/, out/, coordinator.toml, coordinator.{out,err}
  std::string library;    // library root
  std::string log_level;  // --log-level
  int heartbeat_seconds = 1;
};

// From /proc/PID/status and /proc/PID/stat; -1 when unreadable.
struct ProcessUsage {
  int64_t vm_hwm_kb = -1;  // peak resident set
  int64_t vm_rss_kb = -1;  // current resident set
  double cpu_seconds = -1; // user + system
};

class CoordinatorProcess {
 public:
  // Starts it and waits (up to 60 s) for "listening on". Errors: the start failed, or it exited
  // (FailedPrecondition with its stderr tail), or it did not listen in time (DeadlineExceeded).
  static absl::StatusOr<std::unique_ptr<CoordinatorProcess>> Start(const CoordinatorSetup& setup);
  ~CoordinatorProcess();

  const std::string& address() const { return address_; }
  pid_t pid() const { return proc_->pid(); }
  ProcessUsage Usage() const;
  // OK while it runs; FailedPrecondition with its stderr tail once it has exited.
  absl::Status CheckAlive() const;

 private:
  CoordinatorProcess() = default;
  std::string err_path_;
  std::string address_;
  std::unique_ptr<process::Subprocess> proc_;
  std::thread waiter_;
  std::shared_ptr<std::atomic<bool>> exited_ = std::make_shared<std::atomic<bool>>(false);
};

// This process's own usage (the generator), for the side-by-side CPU line.
ProcessUsage SelfUsage();

}  // namespace mkvfleet::bench
