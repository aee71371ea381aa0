// Internal to mkv_process: starting a child with posix_spawn (its stdin/stdout/stderr wired as a
// ProcessSpec says, its own process group, default signal dispositions), kept apart from the
// Subprocess wait loop so each file has one job.
#pragma once

#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/process/subprocess.h"

namespace mkvfleet::process::internal {

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

// The files and pipes a child's stdin, stdout and stderr are connected to. The parent's ends are
// closed when this goes out of scope, except those released to the Subprocess.
struct ChildStdio {
  FdCloser stdin_file, stdout_file;  // StdinSource / StdoutSink kFile
  FdCloser err_read, err_write;      // stderr, always a pipe
  FdCloser out_read, out_write;      // stdout with StdoutSink::kCapture
};

// A child just spawned: its pid and when it started (timeouts count from there).
struct SpawnedChild {
  pid_t pid = -1;
  absl::Time started;
};

// "what: strerror(err)" as NotFound (ENOENT, EACCES, ENOTDIR) or Internal.
absl::Status ErrnoStatus(absl::string_view what, int err);

// Opens the files `spec` names for stdin/stdout and creates the pipes.
absl::Status OpenChildStdio(const ProcessSpec& spec, ChildStdio& io);

// Spawns spec.argv (argv[0] looked up in PATH) with our environment plus spec.extra_env.
// Errors: NotFound (program missing or not executable), Internal.
absl::StatusOr<SpawnedChild> Spawn(const ProcessSpec& spec, const ChildStdio& io);

}  // namespace mkvfleet::process::internal
