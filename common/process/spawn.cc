// posix_spawn plumbing of mkv_process (see spawn.h).
#include "common/process/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace mkvfleet::process::internal {

absl::Status ErrnoStatus(absl::string_view what, int err) {
  std::string msg = absl::StrCat(what, ": ", strerror(err));
  if (err == ENOENT || err == EACCES || err == ENOTDIR) return absl::NotFoundError(msg);
  return absl::InternalError(msg);
}

namespace {

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
// Connects the child's fds 0, 1 and 2 as `spec` says (through `io`) and sets its working folder.
void AddChildFileActions(const ProcessSpec& spec, const ChildStdio& io,
                         posix_spawn_file_actions_t& actions) {
  switch (spec.stdin_source.kind) {
    case StdinSource::Kind::kNull:
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
      break;
    case StdinSource::Kind::kFile:
      posix_spawn_file_actions_adddup2(&actions, io.stdin_file.get(), 0);
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
      posix_spawn_file_actions_adddup2(&actions, io.stdout_file.get(), 1);
      break;
    case StdoutSink::Kind::kFd:
      posix_spawn_file_actions_adddup2(&actions, spec.stdout_sink.fd, 1);
      break;
    case StdoutSink::Kind::kCapture:
      posix_spawn_file_actions_adddup2(&actions, io.out_write.get(), 1);
      break;
  }
  posix_spawn_file_actions_adddup2(&actions, io.err_write.get(), 2);
  if (!spec.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, spec.working_dir.c_str());
  }
}

// The child starts in its own process group (so a stop reaches everything it spawns), with no
// signal blocked and the default action for the signals a daemon parent may handle or ignore.
void SetChildAttributes(posix_spawnattr_t& attr) {
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2}) {
    sigaddset(&default_signals, sig);
  }
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

}  // namespace

absl::Status OpenChildStdio(const ProcessSpec& spec, ChildStdio& io) {
  if (spec.stdin_source.kind == StdinSource::Kind::kFile) {
    io.stdin_file.reset(open(spec.stdin_source.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (io.stdin_file.get() < 0) return ErrnoStatus("cannot open " + spec.stdin_source.path, errno);
  }
  if (spec.stdout_sink.kind == StdoutSink::Kind::kFile) {
    io.stdout_file.reset(
        open(spec.stdout_sink.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (io.stdout_file.get() < 0) {
      return ErrnoStatus("cannot create " + spec.stdout_sink.path, errno);
    }
  }
  int err_pipe[2], out_pipe[2] = {-1, -1};
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  io.err_read.reset(err_pipe[0]);
  io.err_write.reset(err_pipe[1]);
  if (spec.stdout_sink.kind == StdoutSink::Kind::kCapture) {
    if (pipe2(out_pipe, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
    io.out_read.reset(out_pipe[0]);
    io.out_write.reset(out_pipe[1]);
  }
  return absl::OkStatus();
}

// Spawns spec.argv (argv[0] looked up in PATH) with our environment plus spec.extra_env.
// Errors: NotFound (program missing or not executable), Internal.
absl::StatusOr<SpawnedChild> Spawn(const ProcessSpec& spec, const ChildStdio& io) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  AddChildFileActions(spec, io, actions);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  SetChildAttributes(attr);

  std::vector<std::string> argv_copy = spec.argv;
  std::vector<std::string> env = ChildEnvironment(spec.extra_env);
  std::vector<char*> argv_c = CStrings(argv_copy);
  std::vector<char*> env_c = CStrings(env);

  SpawnedChild child;
  child.started = absl::Now();
  int rc = posix_spawnp(&child.pid, argv_c[0], &actions, &attr, argv_c.data(), env_c.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return ErrnoStatus(absl::StrCat("cannot start ", spec.argv[0]), rc);
  }
  return child;
}

}  // namespace mkvfleet::process::internal
