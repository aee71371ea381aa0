// The real mkv-coordinator process with --http-listen, NOTIFY_SOCKET pointing at a socket this
// test owns and an admin token: READY=1, STATUS= and WATCHDOG=1 arrive; GET /metrics (Bearer),
// /healthz and / behave as issue 6's contract says; SIGTERM sends STOPPING=1 and exits 0. Also
// checks that the shipped example config (deploy/config/coordinator.toml) is accepted.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/test_paths.h"
#include "tests/unit/notify/notify_listener.h"

namespace {

using mkvfleet::testing::NotifyListener;

constexpr char kToken[] = "ops-test-admin-token-0123456789abcdef";

// A child process started with extra environment; SIGKILLed if the test leaves it running.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    pid_ = fork();
    if (pid_ == 0) {
      for (const std::string& e : env) putenv(strdup(e.c_str()));
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  void Signal(int sig) { kill(pid_, sig); }
  // Exit status after it ends (blocks).
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

std::string CoordinatorBinary() {
  return mkvfleet::testing::BinaryDir() + "/server/mkv-coordinator";
}

struct Coordinator {
  explicit Coordinator(const std::vector<std::string>& extra_args = {})
      : dir(mkvfleet::testing::MakeTempDir("ops-coord")), listener(dir + "/notify.sock") {
    REQUIRE(listener.ok());
    std::filesystem::create_directories(dir + "/state");
    std::filesystem::create_directories(dir + "/lib");
    std::ofstream(dir + "/lib/movie.mkv") << "not really a movie";
    std::vector<std::string> argv = {CoordinatorBinary(), "--listen",      "127.0.0.1:0",
                                     "--state-dir",       dir + "/state",  "--library",
                                     dir + "/lib",        "--http-listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    child = std::make_unique<Child>(
        argv, std::vector<std::string>{"NOTIFY_SOCKET=" + listener.path(), "WATCHDOG_USEC=200000",
                                       std::string("MKVFLEET_ADMIN_TOKEN=") + kToken,
                                       "MKVFLEET_AGENT_TOKEN=agent-token-for-ops-test"});
  }
  // Reads notifications until READY=1 and the STATUS line naming the dashboard port.
  int AwaitReadyAndPort() {
    bool ready = false;
    int port = 0;
    const std::regex dashboard("dashboard on http://127\\.0\\.0\\.1:([0-9]+)");
    while (!(ready && port > 0)) {
      std::optional<std::string> msg = listener.Next();
      if (!msg.has_value()) break;
      if (*msg == "READY=1") ready = true;
      std::smatch m;
      if (std::regex_search(*msg, m, dashboard)) port = std::stoi(m[1]);
    }
    CHECK(ready);
    return port;
  }

  std::string dir;
  NotifyListener listener;
  std::unique_ptr<Child> child;
};

TEST_CASE("coordinator: notify, metrics, healthz, dashboard and a clean SIGTERM") {
  Coordinator c;
  const int port = c.AwaitReadyAndPort();
  REQUIRE(port > 0);
  CHECK(c.listener.WaitFor("WATCHDOG=1"));

  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(30, 0);
  const httplib::Headers bearer = {{"Authorization", std::string("Bearer ") + kToken}};

  auto health = http.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);

  auto denied = http.Get("/metrics");
  REQUIRE(denied);
  CHECK(denied->status == 401);

  // One job through the dashboard's API (the same AdminService mkvctl uses).
  auto enq =
      http.Post("/api/enqueue", bearer,
                nlohmann::json{{"paths", {c.dir + "/lib/movie.mkv"}}}.dump(), "application/json");
  REQUIRE(enq);
  REQUIRE(enq->status == 200);
  INFO(enq->body);
  CHECK(nlohmann::json::parse(enq->body)[0]["outcome"] == "created");

  auto metrics = http.Get("/metrics", bearer);
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->body.find("mkvfleet_jobs{state=\"pending\"} 1\n") != std::string::npos);
  CHECK(metrics->body.find("mkvfleet_jobs{state=\"running\"} 0\n") != std::string::npos);
  CHECK(metrics->body.find(kToken) == std::string::npos);

  auto page = http.Get("/", bearer);
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("<title>mkvfleet</title>") != std::string::npos);

  auto jobs = http.Get("/api/jobs", bearer);
  REQUIRE(jobs);
  CHECK(nlohmann::json::parse(jobs->body)["jobs"][0]["state"] == "pending");

  c.child->Signal(SIGTERM);
  CHECK(c.listener.WaitFor("STOPPING=1"));
  CHECK(c.child->Wait() == 0);
}

TEST_CASE("coordinator: the shipped example config is accepted") {
  Coordinator c({"--config", mkvfleet::testing::SourceDir() + "/deploy/config/coordinator.toml"});
  const int port = c.AwaitReadyAndPort();  // flags override the example's listen addresses
  REQUIRE(port > 0);
  c.child->Signal(SIGTERM);
  CHECK(c.child->Wait() == 0);
}

TEST_CASE("coordinator: a dashboard beyond loopback without an admin token is refused") {
  const std::string dir = mkvfleet::testing::MakeTempDir("ops-coord");
  std::filesystem::create_directories(dir + "/lib");
  // No tokens in the environment: the child inherits ours, so clear them explicitly.
  Child child({CoordinatorBinary(), "--listen", "127.0.0.1:0", "--state-dir", dir, "--library",
               dir + "/lib", "--http-listen", "0.0.0.0:0"},
              {"MKVFLEET_ADMIN_TOKEN=", "MKVFLEET_AGENT_TOKEN="});
  CHECK(child.Wait() == 1);
}

}  // namespace
