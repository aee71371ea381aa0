// Retry backoff caps and jitter bounds; the resume rule across agents and artifact locations.
#include <catch2/catch.hpp>

#include "server/jobs/retry_backoff.h"
#include "server/jobs/resume_rule.h"

namespace mkvfleet::server {
namespace {

TEST_CASE("backoff doubles, is capped and stays within its jitter band") {
  const absl::Duration base = absl::Seconds(30), cap = absl::Minutes(10);
  CHECK(RetryBackoff(1, base, cap, 1.0) == absl::Seconds(30));
  CHECK(RetryBackoff(2, base, cap, 1.0) == absl::Seconds(60));
  CHECK(RetryBackoff(3, base, cap, 1.0) == absl::Seconds(120));
  CHECK(RetryBackoff(1, base, cap, 0.0) == absl::Seconds(15));
  CHECK(RetryBackoff(0, base, cap, 1.0) == absl::Seconds(30));  // treated as the first failure
  for (int f : {6, 10, 64, 1000}) {
    CHECK(RetryBackoff(f, base, cap, 1.0) == cap);
    CHECK(RetryBackoff(f, base, cap, 0.0) == cap / 2);
  }
  CHECK(RetryBackoff(2, base, cap, 7.0) == absl::Seconds(60));  // jitter clamped
}

StepRecord Done(int index, const std::string& name, std::vector<Artifact> artifacts = {}) {
  StepRecord s;
  s.index = index;
  s.name = name;
  s.state = StepState::kDone;
  s.checkpoint.artifacts = std::move(artifacts);
  return s;
}

Artifact Local(const std::string& agent) {
  return {"out", "/w/out", ArtifactLocation::kAgentLocal, agent, 1};
}
Artifact Shared(const std::string& agent) {
  return {"out", "/shared/out", ArtifactLocation::kShared, agent, 1};
}

TEST_CASE("resume rule") {
  SECTION("no steps: start at 0") {
    auto r = ComputeResume({}, "b");
    CHECK(r.from_step == 0);
    CHECK_THAT(r.reason, Catch::Contains("first step"));
  }
  std::vector<StepRecord> steps = {Done(0, "probe"), Done(1, "rpu", {Local("a")}),
                                   Done(2, "encode", {Shared("a")})};
  SECTION("same agent resumes after its last completed step") {
    auto r = ComputeResume(steps, "a");
    CHECK(r.from_step == 3);
    CHECK_THAT(r.reason, Catch::Contains("after step 2 (encode)"));
  }
  SECTION("another agent redoes from the first unreachable step") {
    auto r = ComputeResume(steps, "b");
    CHECK(r.from_step == 1);
    CHECK_THAT(r.reason, Catch::Contains("local to agent a"));
  }
  SECTION("shared artifacts are reachable by everyone") {
    steps[1].checkpoint.artifacts = {Shared("a")};
    CHECK(ComputeResume(steps, "b").from_step == 3);
  }
  SECTION("an unfinished step ends the prefix") {
    steps[1].state = StepState::kFailed;
    CHECK(ComputeResume(steps, "a").from_step == 1);
  }
  SECTION("a gap in indices ends the prefix") {
    steps.erase(steps.begin() + 1);
    CHECK(ComputeResume(steps, "a").from_step == 1);
  }
  SECTION("assembling chunks: steps before encode count as reachable, encode and after do not") {
    steps[2].state = StepState::kPending;  // the encode step waits to assemble
    auto r = ComputeResume(steps, "b", /*assembling_chunks=*/true);
    CHECK(r.from_step == 2);
    steps[2] = Done(2, "encode", {Local("a")});
    steps.push_back(Done(3, "mux", {Shared("a")}));
    CHECK(ComputeResume(steps, "b", true).from_step == 2);  // encode's own artifact still counts
    CHECK(ComputeResume(steps, "b", false).from_step == 1);
  }
  SECTION("skipped steps count as finished") {
    steps[1].state = StepState::kSkipped;
    steps[1].checkpoint.artifacts.clear();
    CHECK(ComputeResume(steps, "b").from_step == 3);
  }
}

}  // namespace
}  // namespace mkvfleet::server
