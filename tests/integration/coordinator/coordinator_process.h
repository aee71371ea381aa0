// The real mkv-coordinator as a child process, for the integration tests that start, SIGKILL and
// restart it: spawning with stdout/stderr in files, waiting for its listening line, and a temp
// state dir plus library of tiny .mkv files (enqueue checks only paths, never contents).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/client_context.h"

namespace mkvfleet::server {

// A child process with stdout/stderr in files; killed with SIGKILL if still running at the end.
struct Child {
  pid_t pid = -1;
  std::string out, err;
  ~Child();
  // Reaps the child: its exit code, or 128 + the signal that ended it.
  int Wait();
};

// Starts `args` (argv[0] a path) with stdout/stderr in DIR/TAG.out and DIR/TAG.err; fails the
// running test when the spawn fails.
std::unique_ptr<Child> Spawn(const std::vector<std::string>& args, const std::string& dir,
                             const std::string& tag);

// The whole file, "" when it cannot be read.
std::string Slurp(const std::string& path);

// Waits for "mkv-coordinator listening on HOST:PORT" and returns HOST:PORT; fails the running
// test (with the child's stderr) when the line does not come.
std::string WaitListening(const Child& c);

// A context with a 10 s deadline, so a wedged coordinator fails a test instead of hanging it.
std::unique_ptr<grpc::ClientContext> Ctx();

// A temp folder with a library of `files` tiny .mkv files (lib/m0000.mkv, ...) and a state dir.
struct CoordinatorSetup {
  explicit CoordinatorSetup(int files = 3);
  std::string dir, lib, state;
  std::vector<std::string> library_files;  // absolute paths
  // The coordinator's command line on `listen`, this state dir and library.
  std::vector<std::string> Args(const std::string& listen = "127.0.0.1:0") const;
};

}  // namespace mkvfleet::server
