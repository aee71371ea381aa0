// Real processes for the backbone integration tests: the built mkv-coordinator and mkv-agent
// binaries started on loopback, mkvctl run as a child for every observation, and RAII so every
// child dies with the test (SIGKILL to its process group). Waits are bounded and fail with a
// message saying what was awaited; there are no timing thresholds.
#pragma once

#include <signal.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/process/subprocess.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::testing {

// A long-running child (daemon). stdout lines are kept (for "listening on"), stderr lines too
// (for failure messages and log assertions). Destruction SIGKILLs its process group and reaps it.
class Daemon {
 public:
  Daemon(std::string label, std::vector<std::string> argv, std::vector<std::string> env);
  ~Daemon();

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits (bounded) for the child to exit by itself; its exit code, or -1 when it did not.
  int WaitExit(absl::Duration timeout);
  bool exited();
  // All output so far (stdout + stderr lines, in arrival order).
  std::string Output();
  // Waits until a line containing `needle` appeared; returns that line or "" on timeout.
  std::string WaitForLine(const std::string& needle, absl::Duration timeout);

 private:
  std::string label_;
  std::unique_ptr<process::Subprocess> child_;
  pid_t pid_ = -1;
  std::thread waiter_;
  absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  bool exited_ ABSL_GUARDED_BY(mu_) = false;
  int exit_code_ ABSL_GUARDED_BY(mu_) = -1;
};

struct CtlResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json Json() const;  // parses out; fails the test when it is not JSON
};

// One coordinator (restartable on the same port and state dir), any number of agents, and mkvctl.
class Fleet {
 public:
  struct Options {
    int lease_seconds = 2;
    int heartbeat_seconds = 1;
    std::string admin_token;
    std::string agent_token;
    int max_attempts = 3;
  };
  explicit Fleet(Options options);
  ~Fleet();

  const std::string& library() const { return library_; }
  const std::string& address() const { return address_; }

  // Starts (or restarts after a kill) the coordinator; keeps the port of the first start.
  void StartCoordinator();
  Daemon& coordinator() { return *coordinator_; }
  void KillCoordinator();  // SIGKILL and reap

  // Starts an agent with the test-sleep pipeline; `work_dir` defaults to <root>/work-<name>.
  Daemon& StartAgent(const std::string& name, int step_ms, const std::string& token = "@fleet");
  Daemon& agent(const std::string& name) { return *agents_.at(name); }
  void KillAgent(const std::string& name);  // SIGKILL and reap

  // Creates `count` small files named "<prefix>NN.mkv" in the library; returns their paths.
  std::vector<std::string> MakeFiles(const std::string& prefix, int count);

  // Runs mkvctl --server <address> ARGS with the admin token in the environment (unless
  // `token_env` says otherwise: "" = no token variable at all).
  CtlResult Ctl(const std::vector<std::string>& args, const std::string& token_env = "@fleet");
  nlohmann::json Show(int64_t job_id);                   // mkvctl --json show
  nlohmann::json List();                                 // mkvctl --json list
  std::vector<std::string> LogTexts(int64_t job_id);     // mkvctl --json logs: texts
  std::vector<int64_t> Enqueue(const std::vector<std::string>& paths);

  // Polls `pred` every 100 ms until it holds; fails the test with `what` after `timeout`.
  void WaitFor(const std::string& what, const std::function<bool()>& pred,
               absl::Duration timeout = absl::Seconds(40));

 private:
  Options options_;
  std::string root_, library_, state_dir_, address_;
  std::unique_ptr<Daemon> coordinator_;
  std::map<std::string, std::unique_ptr<Daemon>> agents_;
};

// Count of strings in `texts` containing `needle`.
int CountContaining(const std::vector<std::string>& texts, const std::string& needle);

}  // namespace mkvfleet::testing
