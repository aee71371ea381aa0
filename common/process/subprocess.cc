// posix_spawn-based subprocess runner: own process group, poll() loop over stderr/stdout pipes,
// timeout and cancel escalate SIGTERM -> SIGKILL on the whole group.
#include "common/process/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/process/line_splitter.h"
#include "common/process/spawn.h"
#include "common/status/status_macros.h"

namespace mkvfleet::process {
namespace {

using internal::ChildStdio;
using internal::ErrnoStatus;
using internal::FdCloser;
using internal::OpenChildStdio;
using internal::Spawn;
using internal::SpawnedChild;

// Poll granularity: how quickly cancel flags and timeouts are noticed.
constexpr int kPollIntervalMs = 100;
// After the child exits, how long we keep reading pipes that a grandchild may still hold open.
constexpr absl::Duration kDrainAfterExit = absl::Seconds(1);

// Keeps the last `cap` bytes appended.
class TailBuffer {
 public:
  explicit TailBuffer(size_t cap) : cap_(cap) {}
  void Append(absl::string_view s) {
    data_.append(s.data(), s.size());
    if (data_.size() > 2 * cap_ + 4096) data_.erase(0, data_.size() - cap_);
  }
  std::string Take() {
    if (data_.size() > cap_) data_.erase(0, data_.size() - cap_);
    return std::move(data_);
  }

 private:
  size_t cap_;
  std::string data_;
};

bool NeedsQuoting(absl::string_view arg) {
  if (arg.empty()) return true;
  for (unsigned char c : arg) {
    if (!(isalnum(c) || strchr("_./=:,+-@%", c) != nullptr)) return true;
  }
  return false;
}

}  // namespace

std::string ProcessResult::Describe() const {
  std::string what;
  if (timed_out) {
    what = absl::StrCat("timed out after ", absl::FormatDuration(duration), ", stopped");
  } else if (cancelled) {
    what = "cancelled, stopped";
  } else if (term_signal != 0) {
    what = absl::StrCat("killed by signal ", term_signal, " (", strsignal(term_signal), ")");
  } else {
    what = absl::StrCat("exit ", exit_code);
  }
  return what;
}

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(ProcessSpec spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return absl::InvalidArgumentError("subprocess: empty argv");
  }
  ChildStdio io;
  RETURN_IF_ERROR(OpenChildStdio(spec, io));
  ASSIGN_OR_RETURN(const SpawnedChild spawned, Spawn(spec, io));

  auto child = std::unique_ptr<Subprocess>(new Subprocess());
  child->pid_ = spawned.pid;
  child->started_ = spawned.started;
  child->stderr_fd_ = io.err_read.release();
  child->stdout_fd_ = io.out_read.release();
  child->spec_ = std::move(spec);
  return child;
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !reaped_.load()) {
    SignalGroup(SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  if (stderr_fd_ >= 0) close(stderr_fd_);
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

void Subprocess::SignalGroup(int sig) {
  if (pid_ > 0) kill(-pid_, sig);
}

void Subprocess::Kill() { kill_requested_ = true; }

// What Wait() keeps between its poll rounds.
struct Subprocess::WaitState {
  WaitState(const ProcessSpec& spec, absl::Time started)
      : tail(spec.stderr_tail_bytes),
        err_lines(spec.on_stderr_line),
        out_lines(spec.on_stdout_line),
        deadline(spec.timeout == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                                          : started + spec.timeout) {}

  ProcessResult result;
  TailBuffer tail;
  LineSplitter err_lines;
  LineSplitter out_lines;
  const absl::Time deadline;
  absl::Time term_sent = absl::InfiniteFuture();  // last SIGTERM/SIGKILL to the group
  absl::Time exited_at = absl::InfiniteFuture();  // when the child was reaped
  bool over_capture = false;                      // stdout went past stdout_capture_bytes
  int status = 0;                                 // from waitpid
};

absl::StatusOr<ProcessResult> Subprocess::Wait() {
  WaitState w(spec_, started_);
  while (true) {
    RETURN_IF_ERROR(PollOutput(w));
    const absl::Time now = absl::Now();
    RETURN_IF_ERROR(ReapIfExited(w, now));
    if (w.exited_at != absl::InfiniteFuture()) {
      if (DrainFinished(w, now)) break;
      continue;
    }
    StopIfDue(w, now);
  }
  return FinishWait(w);
}

absl::Status Subprocess::PollOutput(WaitState& w) {
  struct pollfd fds[2];
  int nfds = 0;
  if (stderr_fd_ >= 0) fds[nfds++] = {stderr_fd_, POLLIN, 0};
  if (stdout_fd_ >= 0) fds[nfds++] = {stdout_fd_, POLLIN, 0};
  if (nfds == 0) {
    if (w.exited_at == absl::InfiniteFuture()) {
      absl::SleepFor(absl::Milliseconds(kPollIntervalMs / 4));
    }
    return absl::OkStatus();
  }
  int n = poll(fds, nfds, kPollIntervalMs);
  if (n < 0 && errno != EINTR) return ErrnoStatus("poll", errno);
  char buf[16384];
  for (int i = 0; n > 0 && i < nfds; ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    ssize_t got = read(fds[i].fd, buf, sizeof(buf));
    if (got < 0 && errno == EINTR) continue;
    absl::string_view chunk(buf, got > 0 ? got : 0);
    if (fds[i].fd == stderr_fd_) {
      TakeStderr(w, got, chunk);
    } else {
      TakeStdout(w, got, chunk);
    }
  }
  return absl::OkStatus();
}

void Subprocess::TakeStderr(WaitState& w, ssize_t got, absl::string_view chunk) {
  if (got <= 0) {
    close(stderr_fd_);
    stderr_fd_ = -1;
    w.err_lines.Flush();
    return;
  }
  w.tail.Append(chunk);
  w.err_lines.Feed(chunk);
}

void Subprocess::TakeStdout(WaitState& w, ssize_t got, absl::string_view chunk) {
  if (got <= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
    w.out_lines.Flush();
  } else if (w.result.stdout_data.size() + chunk.size() > spec_.stdout_capture_bytes) {
    w.over_capture = true;
    kill_requested_ = true;
  } else {
    w.result.stdout_data.append(chunk.data(), chunk.size());
    w.out_lines.Feed(chunk);
  }
}

absl::Status Subprocess::ReapIfExited(WaitState& w, absl::Time now) {
  if (w.exited_at != absl::InfiniteFuture()) return absl::OkStatus();
  pid_t r = waitpid(pid_, &w.status, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    w.exited_at = now;
    w.result.duration = now - started_;
  } else if (r < 0 && errno != EINTR) {
    return ErrnoStatus("waitpid", errno);
  }
  return absl::OkStatus();
}

bool Subprocess::DrainFinished(const WaitState& w, absl::Time now) {
  if (stderr_fd_ < 0 && stdout_fd_ < 0) return true;
  if (now - w.exited_at > kDrainAfterExit) {
    // A grandchild keeps our pipes open: it belongs to the group, stop it too.
    kill(-pid_, SIGKILL);
    return true;
  }
  return false;
}

void Subprocess::StopIfDue(WaitState& w, absl::Time now) {
  const bool cancel = kill_requested_.load() || (spec_.cancel != nullptr && spec_.cancel->load());
  if (w.term_sent == absl::InfiniteFuture() && (now >= w.deadline || cancel)) {
    if (now >= w.deadline) {
      w.result.timed_out = true;
    } else {
      w.result.cancelled = true;
    }
    SignalGroup(SIGTERM);
    w.term_sent = now;
  } else if (w.term_sent != absl::InfiniteFuture() && now - w.term_sent >= kTerminateGrace) {
    SignalGroup(SIGKILL);
    w.term_sent = now;  // repeat every grace period until reaped
  }
}

absl::StatusOr<ProcessResult> Subprocess::FinishWait(WaitState& w) {
  if (w.result.timed_out || w.result.cancelled) kill(-pid_, SIGKILL);  // leftovers of the group

  if (WIFEXITED(w.status)) {
    w.result.exit_code = WEXITSTATUS(w.status);
  } else if (WIFSIGNALED(w.status)) {
    w.result.term_signal = WTERMSIG(w.status);
  }
  w.result.stderr_tail = w.tail.Take();
  if (w.over_capture) {
    return absl::ResourceExhaustedError(absl::StrCat(
        spec_.argv[0], ": stdout larger than ", spec_.stdout_capture_bytes, " bytes, stopped"));
  }
  return std::move(w.result);
}

absl::StatusOr<ProcessResult> RunProcess(ProcessSpec spec) {
  ASSIGN_OR_RETURN(std::unique_ptr<Subprocess> child, Subprocess::Start(std::move(spec)));
  return child->Wait();
}

std::string FormatArgv(const std::vector<std::string>& argv) {
  std::vector<std::string> parts;
  parts.reserve(argv.size());
  for (const auto& arg : argv) {
    if (!NeedsQuoting(arg)) {
      parts.push_back(arg);
      continue;
    }
    std::string quoted = "'";
    for (char c : arg) {
      if (c == '\'') {
        quoted += "'\\''";
      } else {
        quoted += c;
      }
    }
    quoted += "'";
    parts.push_back(std::move(quoted));
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace mkvfleet::process
