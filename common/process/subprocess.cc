// posix_spawn-based subprocess runner: own process group, poll() loop over stderr/stdout pipes,
// timeout and cancel escalate SIGTERM -> SIGKILL on the whole group.
#include "common/process/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/process/line_splitter.h"

extern char** environ;

namespace mkvfleet::process {
namespace {

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

// Closes a file descriptor when it goes out of scope, unless released.
class FdCloser {
 public:
  explicit FdCloser(int fd = -1) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

absl::Status ErrnoStatus(absl::string_view what, int err) {
  std::string msg = absl::StrCat(what, ": ", strerror(err));
  if (err == ENOENT || err == EACCES || err == ENOTDIR) return absl::NotFoundError(msg);
  return absl::InternalError(msg);
}

// The environment of the child: ours, with extra "NAME=VALUE" entries replacing same names.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  auto name_of = [](absl::string_view entry) { return entry.substr(0, entry.find('=')); };
  for (char** e = environ; e && *e; ++e) {
    bool overridden = false;
    for (const auto& x : extra) overridden |= name_of(x) == name_of(*e);
    if (!overridden) env.emplace_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

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
  FdCloser stdin_file, stdout_file;
  if (spec.stdin_source.kind == StdinSource::Kind::kFile) {
    stdin_file.reset(open(spec.stdin_source.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (stdin_file.get() < 0) return ErrnoStatus("cannot open " + spec.stdin_source.path, errno);
  }
  if (spec.stdout_sink.kind == StdoutSink::Kind::kFile) {
    stdout_file.reset(
        open(spec.stdout_sink.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (stdout_file.get() < 0) return ErrnoStatus("cannot create " + spec.stdout_sink.path, errno);
  }
  int err_pipe[2], out_pipe[2] = {-1, -1};
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  FdCloser err_read(err_pipe[0]), err_write(err_pipe[1]);
  FdCloser out_read, out_write;
  if (spec.stdout_sink.kind == StdoutSink::Kind::kCapture) {
    if (pipe2(out_pipe, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
    out_read.reset(out_pipe[0]);
    out_write.reset(out_pipe[1]);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  switch (spec.stdin_source.kind) {
    case StdinSource::Kind::kNull:
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
      break;
    case StdinSource::Kind::kFile:
      posix_spawn_file_actions_adddup2(&actions, stdin_file.get(), 0);
      break;
    case StdinSource::Kind::kFd:
      posix_spawn_file_actions_adddup2(&actions, spec.stdin_source.fd, 0);
      break;
  }
  switch (spec.stdout_sink.kind) {
    case StdoutSink::Kind::kNull:
      posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
      break;
    case StdoutSink::Kind::kFile:
      posix_spawn_file_actions_adddup2(&actions, stdout_file.get(), 1);
      break;
    case StdoutSink::Kind::kFd:
      posix_spawn_file_actions_adddup2(&actions, spec.stdout_sink.fd, 1);
      break;
    case StdoutSink::Kind::kCapture:
      posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
      break;
  }
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  if (!spec.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, spec.working_dir.c_str());
  }

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2}) {
    sigaddset(&default_signals, sig);
  }
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv_copy = spec.argv;
  std::vector<std::string> env = ChildEnvironment(spec.extra_env);
  std::vector<char*> argv_c = CStrings(argv_copy);
  std::vector<char*> env_c = CStrings(env);

  pid_t pid = -1;
  absl::Time started = absl::Now();
  int rc = posix_spawnp(&pid, argv_c[0], &actions, &attr, argv_c.data(), env_c.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return ErrnoStatus(absl::StrCat("cannot start ", spec.argv[0]), rc);
  }

  auto child = std::unique_ptr<Subprocess>(new Subprocess());
  child->pid_ = pid;
  child->started_ = started;
  child->stderr_fd_ = err_read.release();
  child->stdout_fd_ = out_read.release();
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

absl::StatusOr<ProcessResult> Subprocess::Wait() {
  ProcessResult result;
  TailBuffer tail(spec_.stderr_tail_bytes);
  LineSplitter err_lines(spec_.on_stderr_line);
  LineSplitter out_lines(spec_.on_stdout_line);
  const absl::Time deadline = spec_.timeout == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : started_ + spec_.timeout;
  absl::Time term_sent = absl::InfiniteFuture();
  absl::Time exited_at = absl::InfiniteFuture();
  bool over_capture = false;
  int status = 0;
  char buf[16384];

  while (true) {
    struct pollfd fds[2];
    int nfds = 0;
    if (stderr_fd_ >= 0) fds[nfds++] = {stderr_fd_, POLLIN, 0};
    if (stdout_fd_ >= 0) fds[nfds++] = {stdout_fd_, POLLIN, 0};
    if (nfds > 0) {
      int n = poll(fds, nfds, kPollIntervalMs);
      if (n < 0 && errno != EINTR) return ErrnoStatus("poll", errno);
      for (int i = 0; n > 0 && i < nfds; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t got = read(fds[i].fd, buf, sizeof(buf));
        if (got < 0 && errno == EINTR) continue;
        absl::string_view chunk(buf, got > 0 ? got : 0);
        if (fds[i].fd == stderr_fd_) {
          if (got <= 0) {
            close(stderr_fd_);
            stderr_fd_ = -1;
            err_lines.Flush();
          } else {
            tail.Append(chunk);
            err_lines.Feed(chunk);
          }
        } else {
          if (got <= 0) {
            close(stdout_fd_);
            stdout_fd_ = -1;
            out_lines.Flush();
          } else if (result.stdout_data.size() + chunk.size() > spec_.stdout_capture_bytes) {
            over_capture = true;
            kill_requested_ = true;
          } else {
            result.stdout_data.append(chunk.data(), chunk.size());
            out_lines.Feed(chunk);
          }
        }
      }
    } else if (exited_at == absl::InfiniteFuture()) {
      absl::SleepFor(absl::Milliseconds(kPollIntervalMs / 4));
    }

    const absl::Time now = absl::Now();
    if (exited_at == absl::InfiniteFuture()) {
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        exited_at = now;
        result.duration = now - started_;
      } else if (r < 0 && errno != EINTR) {
        return ErrnoStatus("waitpid", errno);
      }
    }
    if (exited_at != absl::InfiniteFuture()) {
      if (stderr_fd_ < 0 && stdout_fd_ < 0) break;
      if (now - exited_at > kDrainAfterExit) {
        // A grandchild keeps our pipes open: it belongs to the group, stop it too.
        kill(-pid_, SIGKILL);
        break;
      }
      continue;
    }
    const bool cancel =
        kill_requested_.load() || (spec_.cancel != nullptr && spec_.cancel->load());
    if (term_sent == absl::InfiniteFuture() && (now >= deadline || cancel)) {
      if (now >= deadline) {
        result.timed_out = true;
      } else {
        result.cancelled = true;
      }
      SignalGroup(SIGTERM);
      term_sent = now;
    } else if (term_sent != absl::InfiniteFuture() && now - term_sent >= kTerminateGrace) {
      SignalGroup(SIGKILL);
      term_sent = now;  // repeat every grace period until reaped
    }
  }
  if (result.timed_out || result.cancelled) kill(-pid_, SIGKILL);  // leftovers of the group

  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
  result.stderr_tail = tail.Take();
  if (over_capture) {
    return absl::ResourceExhaustedError(
        absl::StrCat(spec_.argv[0], ": stdout larger than ", spec_.stdout_capture_bytes,
                     " bytes, stopped"));
  }
  return result;
}

absl::StatusOr<ProcessResult> RunProcess(ProcessSpec spec) {
  auto child = Subprocess::Start(std::move(spec));
  if (!child.ok()) return child.status();
  return (*child)->Wait();
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
