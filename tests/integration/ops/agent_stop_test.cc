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

TEST_CASE(
    "SIGTERM: the running step finishes and reports, the lease comes back, the next run "
    "continues from the next step") {
  Fleet fleet(LongLease());
  fleet.StartCoordinator();
  const std::string work = MakeTempDir("mkvfleet-stop-work");
  // 6 s steps: room for the poll below (one mkvctl run per look) to see step two before it ends.
  auto alpha = StartAlpha(fleet, work, 6000, 60);
  const int64_t id = fleet.Enqueue(fleet.MakeFiles("graceful ", 1))[0];
  fleet.WaitFor("step two running", [&] { return StepState(fleet, id, "two") == "running"; });

  alpha->Signal(SIGTERM);
  CHECK(alpha->WaitExit(absl::Seconds(30)) == 0);
  INFO(alpha->Output());
  CHECK(alpha->Output().find("lease handed back job=" + std::to_string(id) +
                             " ok=true step_cancelled=false") != std::string::npos);
  fleet.WaitFor(
      "the job back to pending", [&] { return fleet.Show(id)["state"] == "pending"; },
      absl::Seconds(10));
  nlohmann::json job = fleet.Show(id);
  CHECK(StepNamed(job, "one")["state"] == "done");
  CHECK(StepNamed(job, "two")["state"] == "done");
  CHECK(StepNamed(job, "two")["agent"] == "alpha");
  CHECK(StepState(fleet, id, "three") != "done");
  std::vector<std::string> logs = fleet.LogTexts(id);
  CHECK(CountContaining(logs, "test step two ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "agent stopping: step three not started") == 1);

  // The next agent process (same name and work dir: test-sleep artifacts are agent-local)
  // continues with step three; nothing is redone.
  alpha = StartAlpha(fleet, work, 6000, 60);
  fleet.WaitFor("the job completed", [&] { return fleet.Show(id)["state"] == "completed"; });
  logs = fleet.LogTexts(id);
  CHECK(CountContaining(logs, "test step one ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "test step two ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "test step three ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "from step 2 (three)") == 1);
}

TEST_CASE("SIGTERM with the grace period over: the step is cancelled, earlier steps stay done") {
  Fleet fleet(LongLease());
  fleet.StartCoordinator();
  const std::string work = MakeTempDir("mkvfleet-stop-work");
  // Steps far longer than the 1 s grace, so step two cannot finish inside it.
  auto alpha = StartAlpha(fleet, work, 6000, 1);
  const int64_t id = fleet.Enqueue(fleet.MakeFiles("grace over ", 1))[0];
  fleet.WaitFor("step two running", [&] { return StepState(fleet, id, "two") == "running"; });

  alpha->Signal(SIGTERM);
  CHECK(alpha->WaitExit(absl::Seconds(30)) == 0);
  INFO(alpha->Output());
  CHECK(alpha->Output().find("stop grace period over") != std::string::npos);
  CHECK(alpha->Output().find("step_cancelled=true") != std::string::npos);
  fleet.WaitFor(
      "the job back to pending", [&] { return fleet.Show(id)["state"] == "pending"; },
      absl::Seconds(10));
  CHECK(StepState(fleet, id, "one") == "done");
  CHECK(StepState(fleet, id, "two") != "done");
  std::vector<std::string> logs = fleet.LogTexts(id);
  CHECK(CountContaining(logs, "test step two ran") == 0);

  alpha = StartAlpha(fleet, work, 200, 1);
  fleet.WaitFor("the job completed", [&] { return fleet.Show(id)["state"] == "completed"; });
  logs = fleet.LogTexts(id);
  CHECK(CountContaining(logs, "test step one ran on agent alpha") == 1);
  CHECK(CountContaining(logs, "test step two ran on agent alpha") == 1);
}

TEST_CASE("a second SIGTERM cancels the running step at once, inside the grace period") {
  Fleet fleet(LongLease());
  fleet.StartCoordinator();
  const std::string work = MakeTempDir("mkvfleet-stop-work");
  auto alpha = StartAlpha(fleet, work, 6000, 60);
  const int64_t id = fleet.Enqueue(fleet.MakeFiles("twice ", 1))[0];
  fleet.WaitFor("step two running", [&] { return StepState(fleet, id, "two") == "running"; });

  alpha->Signal(SIGTERM);
  alpha->WaitForLine("stop requested", absl::Seconds(20));
  alpha->Signal(SIGTERM);
  CHECK(alpha->WaitExit(absl::Seconds(30)) == 0);
  INFO(alpha->Output());
  CHECK(alpha->Output().find("second stop request: cancelling the running step now") !=
        std::string::npos);
  CHECK(alpha->Output().find("step_cancelled=true") != std::string::npos);
  fleet.WaitFor(
      "the job back to pending", [&] { return fleet.Show(id)["state"] == "pending"; },
      absl::Seconds(10));
  CHECK(StepState(fleet, id, "one") == "done");
  CHECK(StepState(fleet, id, "two") != "done");
}

}  // namespace
}  // namespace mkvfleet::testing
