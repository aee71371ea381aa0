// The backbone end to end: a coordinator and agents as real processes with the test-sleep
// pipeline, observed only through mkvctl --json (and the daemons' own output).
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "tests/integration/backbone/fleet_harness.h"

namespace mkvfleet::testing {
namespace {

std::string StateOf(Fleet& fleet, int64_t id) { return fleet.Show(id)["state"]; }

// The state and agent of one step in `job` ("" when the step is not recorded).
std::string StepState(const nlohmann::json& job, const std::string& step) {
  for (const auto& s : job["steps"]) {
    if (s["name"] == step) return s["state"];
  }
  return "";
}
std::string StepAgent(const nlohmann::json& job, const std::string& step) {
  for (const auto& s : job["steps"]) {
    if (s["name"] == step) return s["agent"];
  }
  return "";
}

// Each of the three test steps logged "ran on agent" exactly once.
void CheckEachStepRanOnce(Fleet& fleet, int64_t id) {
  auto logs = fleet.LogTexts(id);
  for (const char* step : {"one", "two", "three"}) {
    INFO("job " << id << " step " << step << " log:\n" << nlohmann::json(logs).dump(1));
    CHECK(CountContaining(logs, absl::StrCat("test step ", step, " ran on agent")) == 1);
  }
}

TEST_CASE("two agents complete 20 jobs, each exactly once") {
  Fleet fleet({});
  fleet.StartCoordinator();
  fleet.StartAgent("alpha", 50);
  fleet.StartAgent("beta", 50);
  std::vector<int64_t> ids = fleet.Enqueue(fleet.MakeFiles("movie ", 20));
  REQUIRE(ids.size() == 20);
  fleet.WaitFor("all 20 jobs completed", [&] {
    for (const auto& j : fleet.List()) {
      if (j["state"] != "completed") return false;
    }
    return true;
  });
  std::set<std::string> agents_used;
  for (int64_t id : ids) {
    nlohmann::json job = fleet.Show(id);
    CHECK(job["state"] == "completed");
    CHECK(job["attempts"] == 1);
    REQUIRE(job["steps"].size() == 3);
    for (const auto& s : job["steps"]) CHECK(s["state"] == "done");
    agents_used.insert(job["agent"].get<std::string>());
    CheckEachStepRanOnce(fleet, id);
  }
  // Dedup: the same files again create nothing new.
  CtlResult again = fleet.Ctl({"--json", "enqueue", fleet.library() + "/movie 00.mkv"});
  CHECK(again.exit_code == 0);
  CHECK(again.Json()[0]["outcome"] == "duplicate");
  CHECK(fleet.List().size() == 20);
  CHECK(agents_used.size() == 2);  // both agents took work (20 jobs, polling every 200 ms)
}

TEST_CASE("an agent killed mid-job: the job is re-leased to the other agent and completes") {
  Fleet fleet({});
  fleet.StartCoordinator();
  fleet.StartAgent("alpha", 1500);
  int64_t id = fleet.Enqueue(fleet.MakeFiles("killed ", 1))[0];
  fleet.WaitFor("alpha to finish step one", [&] {
    nlohmann::json job = fleet.Show(id);
    return StepState(job, "one") == "done" && job["agent"] == "alpha";
  });
  fleet.KillAgent("alpha");
  fleet.StartAgent("beta", 100);
  fleet.WaitFor("the job completed by beta", [&] { return StateOf(fleet, id) == "completed"; });
  nlohmann::json job = fleet.Show(id);
  CHECK(job["agent"] == "beta");
  CHECK(StepAgent(job, "three") == "beta");
  // beta cannot reach alpha's local artifact, so it redid step one; the log says why.
  auto logs = fleet.LogTexts(id);
  CHECK(CountContaining(logs, "ran on agent beta") == 3);
}

TEST_CASE("a stopped agent that wakes up after its lease expired is refused") {
  Fleet fleet({});
  fleet.StartCoordinator();
  Daemon& alpha = fleet.StartAgent("alpha", 2500);
  int64_t id = fleet.Enqueue(fleet.MakeFiles("stalled ", 1))[0];
  fleet.WaitFor("alpha running step one", [&] {
    nlohmann::json job = fleet.Show(id);
    return job["state"] == "running" && job["agent"] == "alpha";
  });
  alpha.Signal(SIGSTOP);
  fleet.StartAgent("beta", 100);
  fleet.WaitFor("the job completed by beta", [&] { return StateOf(fleet, id) == "completed"; });
  alpha.Signal(SIGCONT);
  // alpha finishes its sleep and reports: refused (or told by a heartbeat that its lease is gone).
  std::string ended = alpha.WaitForLine("task ended job=", absl::Seconds(20));
  INFO("alpha output:\n" << alpha.Output());
  REQUIRE_FALSE(ended.empty());
  CHECK((ended.find("outcome=refused") != std::string::npos ||
         ended.find("revoked=true") != std::string::npos));
  nlohmann::json job = fleet.Show(id);
  CHECK(job["state"] == "completed");
  CHECK(job["agent"] == "beta");
  for (const auto& s : job["steps"]) CHECK(s["agent"] == "beta");
  CHECK_FALSE(std::filesystem::exists(
      std::filesystem::path(fleet.library()).parent_path() / "work-alpha/jobs" /
      absl::StrCat("job-", id)));
}

TEST_CASE("the coordinator killed mid-run and restarted loses nothing; agents reconnect") {
  Fleet fleet({});
  fleet.StartCoordinator();
  fleet.StartAgent("alpha", 300);
  fleet.StartAgent("beta", 300);
  std::vector<int64_t> ids = fleet.Enqueue(fleet.MakeFiles("restart ", 6));
  fleet.WaitFor("some job running", [&] {
    for (const auto& j : fleet.List()) {
      if (j["state"] == "running") return true;
    }
    return false;
  });
  fleet.KillCoordinator();
  absl::SleepFor(absl::Seconds(1));  // agents notice the coordinator is gone
  fleet.StartCoordinator();
  fleet.WaitFor("all 6 jobs completed after the restart", [&] {
    auto jobs = fleet.List();
    if (jobs.size() != 6) return false;
    for (const auto& j : jobs) {
      if (j["state"] != "completed") return false;
    }
    return true;
  }, absl::Seconds(60));
  for (int64_t id : ids) {
    nlohmann::json job = fleet.Show(id);
    CHECK(job["state"] == "completed");
    for (const auto& s : job["steps"]) CHECK(s["state"] == "done");
  }
}

TEST_CASE("tokens: missing or wrong admin token, agent token on the admin API, wrong agent token") {
  Fleet fleet({.admin_token = "admin-secret-1", .agent_token = "agent-secret-2"});
  fleet.StartCoordinator();
  auto one_line = [](const std::string& err) {
    return !err.empty() && err.find('\n') == err.size() - 1;
  };
  for (const std::string& token : {std::string(""), std::string("wrong"),
                                   std::string("agent-secret-2")}) {
    CtlResult r = fleet.Ctl({"list"}, token);
    INFO("token '" << token << "' stderr: " << r.err);
    CHECK(r.exit_code != 0);
    CHECK(one_line(r.err));
    CHECK(r.err.find("token") != std::string::npos);
    CHECK(r.err.find("admin-secret-1") == std::string::npos);
  }
  CtlResult ok = fleet.Ctl({"--json", "list"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.Json().is_array());

  // Other refusals: a path outside the library, an unknown job.
  CtlResult outside = fleet.Ctl({"enqueue", "/etc/passwd.mkv"});
  CHECK(outside.exit_code != 0);
  CHECK(one_line(outside.err));
  CtlResult unknown = fleet.Ctl({"show", "999999"});
  CHECK(unknown.exit_code != 0);
  CHECK(one_line(unknown.err));

  // An agent with a wrong token is refused and exits non-zero with a clear line.
  Daemon& bad = fleet.StartAgent("intruder", 50, "not-the-token");
  CHECK(bad.WaitExit(absl::Seconds(20)) == 1);
  CHECK(bad.Output().find("MKVFLEET_AGENT_TOKEN") != std::string::npos);
}

TEST_CASE("mkvctl says clearly when the coordinator is unreachable") {
  Fleet fleet({});
  fleet.StartCoordinator();
  fleet.KillCoordinator();
  CtlResult r = fleet.Ctl({"list"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("cannot reach the coordinator") != std::string::npos);
}

TEST_CASE("the same agent restarted after kill -9 resumes after its last completed step") {
  Fleet fleet({});
  fleet.StartCoordinator();
  fleet.StartAgent("alpha", 1500);
  int64_t id = fleet.Enqueue(fleet.MakeFiles("resume ", 1))[0];
  fleet.WaitFor("alpha to finish step one", [&] {
    return StepState(fleet.Show(id), "one") == "done";
  });
  fleet.KillAgent("alpha");
  fleet.StartAgent("alpha", 100);
  fleet.WaitFor("the job completed", [&] { return StateOf(fleet, id) == "completed"; });
  auto logs = fleet.LogTexts(id);
  INFO(nlohmann::json(logs).dump(1));
  CHECK(CountContaining(logs, "test step one ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "test step three ran on agent alpha") == 1);
  nlohmann::json job = fleet.Show(id);
  CHECK(job["state"] == "completed");
}

TEST_CASE("SIGTERM hands the lease back at once") {
  Fleet fleet({.lease_seconds = 30, .heartbeat_seconds = 1});
  fleet.StartCoordinator();
  Daemon& alpha = fleet.StartAgent("alpha", 3000);
  int64_t id = fleet.Enqueue(fleet.MakeFiles("term ", 1))[0];
  fleet.WaitFor("alpha running", [&] { return StateOf(fleet, id) == "running"; });
  alpha.Signal(SIGTERM);
  CHECK(alpha.WaitExit(absl::Seconds(20)) == 0);
  // With a 30 s lease, only the hand-back can make the job pending this soon.
  fleet.WaitFor("the job back to pending", [&] { return StateOf(fleet, id) == "pending"; },
                absl::Seconds(10));
}

}  // namespace
}  // namespace mkvfleet::testing
