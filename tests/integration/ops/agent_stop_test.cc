// Graceful stop of a real mkv-agent (test-sleep pipeline) against a real coordinator: SIGTERM
// lets the running step finish and report, hands the lease back at once, and the next run
// continues from the following step; when stop_grace_seconds runs out first, the running step is
// cancelled, the steps before it stay done, and the lease is handed back just the same; a second
// SIGTERM cancels at once.
#include <catch2/catch.hpp>

#include "tests/integration/backbone/fleet_harness.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace {

// The job's step record named `name` (null when there is none).
nlohmann::json StepNamed(const nlohmann::json& job, const std::string& name) {
  for (const auto& s : job["steps"]) {
    if (s["name"] == name) return s;
  }
  return nullptr;
}

std::string StepState(Fleet& fleet, int64_t id, const std::string& name) {
  nlohmann::json s = StepNamed(fleet.Show(id), name);
  return s.is_null() ? "" : s["state"].get<std::string>();
}

// An agent named alpha on the test-sleep pipeline with a given grace period. The work dir is
// fixed so a restarted alpha finds the artifacts of the steps it finished (they are agent-local).
// A 30 s lease: only the hand-back can make the job pending within seconds.
Fleet::Options LongLease() {
  Fleet::Options o;
  o.lease_seconds = 30;
  o.heartbeat_seconds = 1;
  return o;
}

std::unique_ptr<Daemon> StartAlpha(Fleet& fleet, const std::string& work, int step_ms,
                                   int grace_s) {
  return std::make_unique<Daemon>(
      "mkv-agent alpha",
      std::vector<std::string>{BinaryDir() + "/agent/mkv-agent", "--server", fleet.address(),
                               "--name", "alpha", "--work-dir", work, "--pipeline", "test-sleep",
                               "--test-step-ms", std::to_string(step_ms), "--claim-poll-ms", "200",
                               "--stop-grace-seconds", std::to_string(grace_s)},
      std::vector<std::string>{});
}

// A fleet whose agent alpha (steps of `step_ms`, `grace_s` of stop grace) runs one job; the
// constructor returns once step two of that job is running.
struct StopScenario {
  StopScenario(const std::string& label, int step_ms, int grace_s) : fleet(LongLease()) {
    fleet.StartCoordinator();
    work = MakeTempDir("mkvfleet-stop-work");
    alpha = StartAlpha(fleet, work, step_ms, grace_s);
    id = fleet.Enqueue(fleet.MakeFiles(label, 1))[0];
    fleet.WaitFor("step two running", [&] { return StepState(fleet, id, "two") == "running"; });
  }
  // True when alpha exited 0 and printed `line`.
  bool Exited(const std::string& line) {
    return alpha->WaitExit(absl::Seconds(30)) == 0 && Printed(line);
  }
  bool Printed(const std::string& line) const {
    return alpha->Output().find(line) != std::string::npos;
  }
  void WaitPending() {
    fleet.WaitFor(
        "the job back to pending", [&] { return fleet.Show(id)["state"] == "pending"; },
        absl::Seconds(10));
  }
  // After a stop that cancels step two: alpha exited 0 printing `line` and step_cancelled=true,
  // the job is pending again with step one done and step two not.
  void CheckStepTwoCancelled(const std::string& line) {
    const bool exited = Exited(line);
    INFO(alpha->Output());
    CHECK(exited);
    CHECK(Printed("step_cancelled=true"));
    WaitPending();
    CHECK(StepState(fleet, id, "one") == "done");
    CHECK(StepState(fleet, id, "two") != "done");
  }
  // Starts alpha again on the same work dir and waits for the job to complete.
  void RestartUntilCompleted(int step_ms, int grace_s) {
    alpha = StartAlpha(fleet, work, step_ms, grace_s);
    fleet.WaitFor("the job completed", [&] { return fleet.Show(id)["state"] == "completed"; });
  }

  Fleet fleet;
  std::string work;
  std::unique_ptr<Daemon> alpha;
  int64_t id = 0;
};

TEST_CASE(
    "SIGTERM: the running step finishes and reports, the lease comes back, the next run "
    "continues from the next step") {
  // 6 s steps: room for the poll (one mkvctl run per look) to see step two before it ends.
  StopScenario run("graceful ", 6000, 60);
  run.alpha->Signal(SIGTERM);
  const bool exited = run.Exited("lease handed back job=" + std::to_string(run.id) +
                                 " ok=true step_cancelled=false");
  INFO(run.alpha->Output());
  CHECK(exited);
  run.WaitPending();
  nlohmann::json job = run.fleet.Show(run.id);
  CHECK(StepNamed(job, "one")["state"] == "done");
  CHECK(StepNamed(job, "two")["state"] == "done");
  CHECK(StepNamed(job, "two")["agent"] == "alpha");
  CHECK(StepState(run.fleet, run.id, "three") != "done");
  std::vector<std::string> logs = run.fleet.LogTexts(run.id);
  CHECK(CountContaining(logs, "test step two ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "agent stopping: step three not started") == 1);

  // The next agent process (same name and work dir: test-sleep artifacts are agent-local)
  // continues with step three; nothing is redone.
  run.RestartUntilCompleted(6000, 60);
  logs = run.fleet.LogTexts(run.id);
  CHECK(CountContaining(logs, "test step one ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "test step two ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "test step three ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "from step 2 (three)") == 1);
}

TEST_CASE("SIGTERM with the grace period over: the step is cancelled, earlier steps stay done") {
  // Steps far longer than the 1 s grace, so step two cannot finish inside it.
  StopScenario run("grace over ", 6000, 1);
  run.alpha->Signal(SIGTERM);
  run.CheckStepTwoCancelled("stop grace period over");
  CHECK(CountContaining(run.fleet.LogTexts(run.id), "test step two ran") == 0);

  run.RestartUntilCompleted(200, 1);
  const std::vector<std::string> logs = run.fleet.LogTexts(run.id);
  CHECK(CountContaining(logs, "test step one ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "test step two ran on agent alpha") == 1);
}

TEST_CASE("a second SIGTERM cancels the running step at once, inside the grace period") {
  StopScenario run("twice ", 6000, 60);
  run.alpha->Signal(SIGTERM);
  run.alpha->WaitForLine("stop requested", absl::Seconds(20));
  run.alpha->Signal(SIGTERM);
  run.CheckStepTwoCancelled("second stop request: cancelling the running step now");
}

}  // namespace
}  // namespace mkvfleet::testing
