// systemd lifecycle of the real daemons: mkv-agent under a NOTIFY_SOCKET the test owns sends
// READY=1 once registered, a STATUS= line, WATCHDOG=1 pings (WATCHDOG_USEC set) and STOPPING=1 on
// SIGTERM, then exits 0. mkv-coordinator on SIGTERM exits 0 with its SQLite database closed
// cleanly: no -wal file with unapplied frames, integrity_check ok, the jobs still there (a SIGKILL
// control shows the WAL check can fail). The coordinator's own notify lines are in
// coordinator_ops_test.cc.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/integration/backbone/fleet_harness.h"
#include "tests/test_paths.h"
#include "tests/unit/notify/notify_listener.h"

namespace mkvfleet::testing {
namespace {
namespace fs = std::filesystem;

TEST_CASE("agent: READY=1 when registered, STATUS, WATCHDOG=1, STOPPING=1 and exit 0 on SIGTERM") {
  Fleet fleet({});
  fleet.StartCoordinator();
  const std::string dir = MakeTempDir("ops-agent-notify");
  NotifyListener listener(dir + "/notify.sock");
  REQUIRE(listener.ok());
  Daemon agent("mkv-agent",
               {BinaryDir() + "/agent/mkv-agent", "--server", fleet.address(), "--name", "notified",
                "--work-dir", dir + "/work", "--pipeline", "test-sleep", "--claim-poll-ms", "200"},
               {"NOTIFY_SOCKET=" + listener.path(), "WATCHDOG_USEC=200000"});
  bool ready = false, status = false;
  while (!(ready && status)) {
    std::optional<std::string> msg = listener.Next();
    if (!msg.has_value()) break;
    if (*msg == "READY=1") ready = true;
    if (msg->rfind("STATUS=registered with " + fleet.address() + " as notified", 0) == 0) {
      status = true;
    }
  }
  INFO(agent.Output());
  CHECK(ready);
  CHECK(status);
  CHECK(listener.WaitFor("WATCHDOG=1"));
  agent.Signal(SIGTERM);
  CHECK(listener.WaitFor("STOPPING=1"));
  CHECK(agent.WaitExit(absl::Seconds(20)) == 0);
}

// A coordinator of its own (the test needs its state dir) with three queued jobs.
struct QueuedCoordinator {
  QueuedCoordinator() : dir(MakeTempDir("ops-coord-db")) {
    fs::create_directories(dir + "/state");
    fs::create_directories(dir + "/lib");
    daemon = std::make_unique<Daemon>(
        "mkv-coordinator",
        std::vector<std::string>{BinaryDir() + "/server/mkv-coordinator", "--listen", "127.0.0.1:0",
                                 "--state-dir", dir + "/state", "--library", dir + "/lib"},
        std::vector<std::string>{"MKVFLEET_ADMIN_TOKEN=", "MKVFLEET_AGENT_TOKEN="});
    const std::string line = daemon->WaitForLine("listening on ", absl::Seconds(20));
    REQUIRE(!line.empty());
    const std::string address = line.substr(line.find("listening on ") + 13);
    process::ProcessSpec enqueue;
    enqueue.argv = {BinaryDir() + "/ctl/mkvctl", "--server", address, "enqueue"};
    for (int i = 0; i < 3; ++i) {
      const std::string p = dir + "/lib/movie" + std::to_string(i) + ".mkv";
      std::ofstream(p) << "not really a movie " << i;
      enqueue.argv.push_back(p);
    }
    enqueue.extra_env = {"MKVFLEET_ADMIN_TOKEN="};
    auto r = process::RunProcess(enqueue);
    REQUIRE(r.ok());
    INFO(r->stderr_tail);
    REQUIRE(r->success());
  }
  std::string db() const { return dir + "/state/jobs.db"; }
  int64_t WalBytes() const {
    std::error_code ec;
    auto n = fs::file_size(db() + "-wal", ec);
    return ec ? 0 : static_cast<int64_t>(n);
  }
  std::string dir;
  std::unique_ptr<Daemon> daemon;
};

// PRAGMA integrity_check's answer and the job count, from a fresh connection.
std::pair<std::string, int> Reopen(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  std::string integrity;
  int jobs = -1;
  sqlite3_exec(
      db, "PRAGMA integrity_check",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) = values[0] ? values[0] : "";
        return 0;
      },
      &integrity, nullptr);
  sqlite3_exec(
      db, "SELECT count(*) FROM jobs",
      [](void* out, int, char** values, char**) {
        *static_cast<int*>(out) = std::stoi(values[0]);
        return 0;
      },
      &jobs, nullptr);
  sqlite3_close(db);
  return {integrity, jobs};
}

TEST_CASE("coordinator: SIGTERM exits 0 and closes the database cleanly") {
  QueuedCoordinator c;
  c.daemon->Signal(SIGTERM);
  CHECK(c.daemon->WaitExit(absl::Seconds(20)) == 0);
  INFO(c.daemon->Output());
  // A clean close checkpoints the WAL into jobs.db and removes (or empties) the -wal file.
  CHECK(c.WalBytes() == 0);
  auto [integrity, jobs] = Reopen(c.db());
  CHECK(integrity == "ok");
  CHECK(jobs == 3);
}

TEST_CASE("control: SIGKILL leaves WAL frames behind (what the SIGTERM test rules out)") {
  QueuedCoordinator c;
  c.daemon->Signal(SIGKILL);
  c.daemon->WaitExit(absl::Seconds(20));
  CHECK(c.WalBytes() > 0);
  auto [integrity, jobs] = Reopen(c.db());  // SQLite recovers the frames on open
  CHECK(integrity == "ok");
  CHECK(jobs == 3);
}

}  // namespace
}  // namespace mkvfleet::testing
