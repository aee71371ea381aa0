// Runs external tools (ffmpeg, x265, mkvmerge, mediainfo, ...) from an argv vector, never through a
// shell, with a timeout, cancellation, a bounded stderr tail and line callbacks for progress
// parsing. Every child runs in its own process group, so a timeout or cancel kills the whole tree
// it spawned.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mkvfleet::process {

// How long a child gets between SIGTERM and SIGKILL when it is stopped.
inline constexpr absl::Duration kTerminateGrace = absl::Seconds(2);
// Default cap on the stderr kept for error messages and job logs.
inline constexpr size_t kDefaultStderrTailBytes = 16 * 1024;
// Cap on stdout captured into ProcessResult::stdout_data (more is an error).
inline constexpr size_t kDefaultStdoutCaptureBytes = 64 * 1024 * 1024;

// Where a child's stdin comes from.
struct StdinSource {
  enum class Kind { kNull, kFile, kFd };
  Kind kind = Kind::kNull;
  std::string path;  // kFile: opened read-only
  // kFd: borrowed (e.g. the read end of a pipe); the caller closes it after Start(). Create it
  // O_CLOEXEC so that other children do not inherit it (a leaked pipe end blocks EOF).
  int fd = -1;
};

// Where a child's stdout goes.
struct StdoutSink {
  enum class Kind { kNull, kFile, kFd, kCapture };
  Kind kind = Kind::kNull;
  std::string path;  // kFile: created or truncated, mode 0644
  int fd = -1;       // kFd: borrowed, O_CLOEXEC (see StdinSource::fd); the caller closes it
};

// Everything needed to start one child.
struct ProcessSpec {
  // argv[0] is the program: a path, or a bare name looked up in PATH. Arguments are passed
  // byte-for-byte (spaces, quotes, unicode need no escaping). REQUIRES: non-empty.
  std::vector<std::string> argv;
  StdinSource stdin_source;
  StdoutSink stdout_sink;
  // Working directory of the child; "" = inherit.
  std::string working_dir;
  // Extra "NAME=VALUE" entries on top of this process's environment (overriding same names).
  std::vector<std::string> extra_env;
  // The child is stopped (SIGTERM, then SIGKILL after kTerminateGrace) when it runs longer.
  // absl::InfiniteDuration() = no limit (only for children watched by some other heartbeat).
  absl::Duration timeout = absl::Minutes(10);
  // Checked about every 100 ms; when it becomes true the child is stopped as on timeout.
  const std::atomic<bool>* cancel = nullptr;
  size_t stderr_tail_bytes = kDefaultStderrTailBytes;
  size_t stdout_capture_bytes = kDefaultStdoutCaptureBytes;
  // Called on the waiting thread for each stderr line ('\n' or '\r' terminated).
  std::function<void(absl::string_view)> on_stderr_line;
  // Called for each stdout line; only with StdoutSink::kCapture.
  std::function<void(absl::string_view)> on_stdout_line;
};

// How a child ended.
struct ProcessResult {
  int exit_code = -1;       // valid when term_signal == 0
  int term_signal = 0;      // signal that ended the child, 0 if it exited
  bool timed_out = false;   // stopped because the timeout passed
  bool cancelled = false;   // stopped because the cancel flag was set
  absl::Duration duration;  // from start to reaping
  std::string stderr_tail;  // the last stderr_tail_bytes of stderr
  std::string stdout_data;  // StdoutSink::kCapture only

  // True when the child exited by itself with status 0.
  bool success() const { return term_signal == 0 && exit_code == 0 && !timed_out && !cancelled; }
  // One line for logs and errors: "exit 1", "killed by signal 9", "timed out after 5s", ...
  std::string Describe() const;
};

// A running child. Destroying it while the child runs kills the child's process group and reaps it,
// so a child never outlives its owner by accident. Wait() and Kill() may be called from different
// threads; everything else is single-threaded.
class Subprocess {
 public:
  // Starts the child. Errors: InvalidArgument (empty argv), NotFound (program missing or not
  // executable), Internal (pipes, files, spawn). Files named by stdin/stdout are opened here, so a
  // missing input fails before anything runs.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(ProcessSpec spec);

  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }

  // Blocks until the child has ended (by itself, timeout, cancel or Kill), delivering stderr/stdout
  // lines meanwhile. A non-zero exit is not an error here: inspect the result. Errors only for a
  // failing wait (Internal) or an over-cap stdout capture (ResourceExhausted; the child is killed).
  // Call once.
  absl::StatusOr<ProcessResult> Wait();

  // Asks the process group to stop (SIGTERM, then SIGKILL after kTerminateGrace inside Wait()).
  // Thread-safe; a no-op once the child is reaped.
  void Kill();

 private:
  Subprocess() = default;
  void SignalGroup(int sig);

  // Wait(), one step each; WaitState (subprocess.cc) is what the loop keeps between poll rounds.
  struct WaitState;
  // Waits up to one poll interval for stderr/stdout and consumes what arrived (Internal when
  // poll fails); with both pipes closed, sleeps briefly until the child has exited.
  absl::Status PollOutput(WaitState& w);
  // One read() of stderr: a chunk for the tail and the line callback; got <= 0 closes the pipe.
  void TakeStderr(WaitState& w, ssize_t got, absl::string_view chunk);
  // Same for stdout: captured; past stdout_capture_bytes the child is stopped instead.
  void TakeStdout(WaitState& w, ssize_t got, absl::string_view chunk);
  // Reaps the child without blocking once it has exited. Internal when waitpid fails.
  absl::Status ReapIfExited(WaitState& w, absl::Time now);
  // After the exit: true once both pipes are closed, or (killing the group) when a grandchild
  // still holds them kDrainAfterExit later.
  bool DrainFinished(const WaitState& w, absl::Time now);
  // Before the exit: on timeout or cancel, SIGTERM to the group, then SIGKILL every grace period.
  void StopIfDue(WaitState& w, absl::Time now);
  // The result of a reaped child; ResourceExhausted when stdout went over the capture cap.
  absl::StatusOr<ProcessResult> FinishWait(WaitState& w);

  ProcessSpec spec_;
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  int stdout_fd_ = -1;
  absl::Time started_;
  std::atomic<bool> kill_requested_{false};
  std::atomic<bool> reaped_{false};
};

// Start() + Wait(). The usual way to run a tool.
absl::StatusOr<ProcessResult> RunProcess(ProcessSpec spec);

// argv rendered for humans and logs (each argument single-quoted when it needs it). Never fed to a
// shell.
std::string FormatArgv(const std::vector<std::string>& argv);

}  // namespace mkvfleet::process
