// A long-running child of chunk_bench (the coordinator, an agent, `mkvctl watch`): started from an
// argv vector, never a shell, its stdout to one file and its stderr lines to another, stopped with
// its whole process group (SIGTERM, SIGKILL after process::kTerminateGrace) when destroyed, so the
// bench leaves nothing running behind it, also when it fails half-way.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/process/subprocess.h"

namespace mkvfleet::bench {

class BenchDaemon {
 public:
  // Starts `argv` with `env` ("NAME=VALUE") added to this process's environment; stdout goes to
  // `log_base`.out, stderr to `log_base`.err (both created or truncated). Errors: those of
  // process::Subprocess::Start (NotFound for a missing program, Internal).
  static absl::StatusOr<std::unique_ptr<BenchDaemon>> Start(std::vector<std::string> argv,
                                                            const std::string& log_base,
                                                            std::vector<std::string> env = {});
  // Stops the child (and everything in its process group) if it still runs, and reaps it.
  ~BenchDaemon();
  BenchDaemon(const BenchDaemon&) = delete;
  BenchDaemon& operator=(const BenchDaemon&) = delete;

  // True once the child has ended (by itself or stopped). Thread-safe.
  bool exited() const { return exited_.load(); }
  // REQUIRES: exited(). How it ended: "exit 2", "killed by signal 9", ...; an error when the wait
  // itself failed.
  absl::StatusOr<process::ProcessResult> result() const;
  // The last `lines` lines of its stderr file (for error messages), "" when there are none.
  std::string StderrTail(int lines = 15) const;
  const std::string& log_base() const { return log_base_; }

 private:
  BenchDaemon() = default;

  std::string log_base_;
  std::unique_ptr<process::Subprocess> proc_;
  std::thread waiter_;
  std::atomic<bool> exited_{false};
  mutable absl::Mutex mu_;
  absl::StatusOr<process::ProcessResult> result_ ABSL_GUARDED_BY(mu_) =
      absl::UnknownError("still running");
};

}  // namespace mkvfleet::bench
