// The pure job life cycle: every transition, every refusal, lease expiry on an injected clock.
#include "server/jobs/job_state_machine.h"

#include <catch2/catch.hpp>

namespace mkvfleet::server {
namespace {

constexpr int64_t kT0 = 1'000'000;
constexpr int64_t kLeaseMs = 60'000;

Job NewJob() {
  Job job;
  job.id = 7;
  job.path = "/lib/a.mkv";
  job.max_attempts = 3;
  return job;
}

StepReport Report(const std::string& lease, int index, StepEvent event) {
  StepReport r;
  r.lease_id = lease;
  r.step_index = index;
  r.step_name = "step" + std::to_string(index);
  r.event = event;
  return r;
}

TEST_CASE("claim leases a pending job and counts an attempt") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(IsClaimable(job, kT0));
  auto note = Claim(job, "a1", "L1", kT0, policy);
  REQUIRE(note.ok());
  CHECK(job.state == JobState::kRunning);
  CHECK(job.attempts == 1);
  CHECK(job.agent == "a1");
  CHECK(job.task.lease.id == "L1");
  CHECK(job.task.lease.deadline_ms == kT0 + kLeaseMs);
  CHECK_THAT(*note, Catch::Contains("a1") && Catch::Contains("attempt 1 of 3"));

  SECTION("a running job cannot be claimed again") {
    Job before = job;
    auto again = Claim(job, "a2", "L2", kT0 + 1, policy);
    CHECK(again.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(job.task.lease.id == "L1");
    CHECK(job.attempts == before.attempts);
  }
}

TEST_CASE("terminal jobs are not claimable") {
  for (JobState s : {JobState::kCompleted, JobState::kSkipped, JobState::kFailedPermanent,
                     JobState::kCancelled, JobState::kRunning}) {
    Job job = NewJob();
    job.state = s;
    CHECK_FALSE(IsClaimable(job, kT0));
    CHECK(Claim(job, "a", "L", kT0, JobPolicy{}).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("stale or wrong lease ids are refused and change nothing") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(Claim(job, "a1", "L1", kT0, policy).ok());
  const Job before = job;
  SECTION("wrong id") {
    auto r = ApplyStepReport(job, Report("OTHER", 0, StepEvent::kStarted), "a1", kT0 + 1, policy,
                             0.5);
    CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("stale lease"));
    CHECK(job.steps.empty());
  }
  SECTION("expired deadline") {
    auto r = ApplyStepReport(job, Report("L1", 0, StepEvent::kStarted), "a1", kT0 + kLeaseMs,
                             policy, 0.5);
    CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("expired"));
    CHECK(Renew(job, "L1", kT0 + kLeaseMs, policy, nullptr).code() ==
          absl::StatusCode::kFailedPrecondition);
    CHECK(job.task.lease.deadline_ms == before.task.lease.deadline_ms);
  }
  SECTION("after the job was re-leased to another agent") {
    REQUIRE(ExpireLease(job, kT0 + kLeaseMs, policy).ok());
    REQUIRE(Claim(job, "a2", "L2", kT0 + kLeaseMs + 1, policy).ok());
    auto r = Release(job, "L1", "late", kT0 + kLeaseMs + 2);
    CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("a2"));
    CHECK(job.task.lease.id == "L2");
  }
  SECTION("job not running") {
    Job pending = NewJob();
    CHECK(CheckLease(pending, "L1", kT0).code() == absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("renew extends the deadline and records progress") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(Claim(job, "a1", "L1", kT0, policy).ok());
  Progress p;
  p.frames_done = 10;
  p.fps = 24;
  REQUIRE(Renew(job, "L1", kT0 + 30'000, policy, &p).ok());
  CHECK(job.task.lease.deadline_ms == kT0 + 30'000 + kLeaseMs);
  CHECK(job.progress.frames_done == 10);
}

TEST_CASE("steps run to completion") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(Claim(job, "a1", "L1", kT0, policy).ok());
  REQUIRE(ApplyStepReport(job, Report("L1", 0, StepEvent::kStarted), "a1", kT0 + 1, policy, 0)
              .ok());
  CHECK(job.steps.size() == 1);
  CHECK(job.steps[0].state == StepState::kRunning);
  CHECK(job.step == "step0");

  auto prog = Report("L1", 0, StepEvent::kProgress);
  prog.progress.frames_done = 5;
  REQUIRE(ApplyStepReport(job, prog, "a1", kT0 + 2, policy, 0).ok());
  CHECK(job.progress.frames_done == 5);
  CHECK(job.task.lease.deadline_ms == kT0 + 2 + kLeaseMs);  // a report renews

  auto fin = Report("L1", 0, StepEvent::kFinished);
  fin.checkpoint.artifacts.push_back({"rpu", "/w/rpu.bin", ArtifactLocation::kAgentLocal, "a1", 9});
  fin.plan = "dv-convert";
  REQUIRE(ApplyStepReport(job, fin, "a1", kT0 + 3, policy, 0).ok());
  CHECK(job.steps[0].state == StepState::kDone);
  CHECK(job.steps[0].checkpoint.artifacts.size() == 1);
  CHECK(job.plan == "dv-convert");
  CHECK(job.state == JobState::kRunning);

  SECTION("completed outcome publishes and ends the lease") {
    auto last = Report("L1", 1, StepEvent::kFinished);
    last.outcome = TaskOutcome::kCompleted;
    last.output_path = "/lib/a.DV81.mkv";
    REQUIRE(ApplyStepReport(job, last, "a1", kT0 + 4, policy, 0).ok());
    CHECK(job.state == JobState::kCompleted);
    CHECK(job.output == "/lib/a.DV81.mkv");
    CHECK(job.task.lease.id.empty());
    CHECK(job.steps.size() == 2);
  }
  SECTION("completed outcome without an output path is refused") {
    auto last = Report("L1", 1, StepEvent::kFinished);
    last.outcome = TaskOutcome::kCompleted;
    auto r = ApplyStepReport(job, last, "a1", kT0 + 4, policy, 0);
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(job.state == JobState::kRunning);
  }
  SECTION("skipped outcome records the reason") {
    auto last = Report("L1", 1, StepEvent::kFinished);
    last.outcome = TaskOutcome::kSkipped;
    last.reason = "already profile 8.1";
    REQUIRE(ApplyStepReport(job, last, "a1", kT0 + 4, policy, 0).ok());
    CHECK(job.state == JobState::kSkipped);
    CHECK(job.error == "already profile 8.1");
  }
  SECTION("a negative step index is refused") {
    CHECK(ApplyStepReport(job, Report("L1", -1, StepEvent::kStarted), "a1", kT0 + 4, policy, 0)
              .status()
              .code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("failures retry with backoff, then become failed_permanent") {
  JobPolicy policy;
  policy.backoff_base = absl::Seconds(10);
  policy.backoff_cap = absl::Seconds(15);
  Job job = NewJob();
  int64_t now = kT0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    REQUIRE(Claim(job, "a1", "L" + std::to_string(attempt), now, policy).ok());
    auto fail = Report("L" + std::to_string(attempt), 0, StepEvent::kFailed);
    fail.error = "ffmpeg exited 1";
    auto note = ApplyStepReport(job, fail, "a1", now, policy, 1.0);
    REQUIRE(note.ok());
    CHECK(job.task.lease.id.empty());
    CHECK(job.steps[0].state == StepState::kFailed);
    CHECK_THAT(job.error, Catch::Contains("ffmpeg exited 1"));
    if (attempt < 3) {
      CHECK(job.state == JobState::kFailed);
      // base 10 s doubled once is 20 s, capped at 15 s; jitter 1.0 takes the full delay.
      const int64_t expected = attempt == 1 ? 10'000 : 15'000;
      CHECK(job.not_before_ms == now + expected);
      CHECK_FALSE(IsClaimable(job, job.not_before_ms - 1));
      CHECK(Claim(job, "a1", "X", job.not_before_ms - 1, policy).status().code() ==
            absl::StatusCode::kFailedPrecondition);
      CHECK(IsClaimable(job, job.not_before_ms));
      now = job.not_before_ms;
    } else {
      CHECK(job.state == JobState::kFailedPermanent);
      CHECK_THAT(*note, Catch::Contains("failed_permanent"));
    }
  }
  CHECK_FALSE(IsClaimable(job, now + 1'000'000'000));
}

TEST_CASE("a non-retryable failure is permanent at once") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(Claim(job, "a1", "L1", kT0, policy).ok());
  auto fail = Report("L1", 0, StepEvent::kFailed);
  fail.error = "not an HEVC stream";
  fail.retryable = false;
  REQUIRE(ApplyStepReport(job, fail, "a1", kT0, policy, 0).ok());
  CHECK(job.state == JobState::kFailedPermanent);
  CHECK(job.attempts == 1);
}

TEST_CASE("lease expiry returns the job to pending with finished steps kept") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(Claim(job, "a1", "L1", kT0, policy).ok());
  auto fin = Report("L1", 0, StepEvent::kFinished);
  REQUIRE(ApplyStepReport(job, fin, "a1", kT0 + 1000, policy, 0).ok());
  REQUIRE(ApplyStepReport(job, Report("L1", 1, StepEvent::kStarted), "a1", kT0 + 2000, policy, 0)
              .ok());
  const int64_t deadline = job.task.lease.deadline_ms;
  CHECK_FALSE(IsLeaseExpired(job, deadline - 1));
  CHECK(ExpireLease(job, deadline - 1, policy).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  REQUIRE(IsLeaseExpired(job, deadline));
  auto note = ExpireLease(job, deadline, policy);
  REQUIRE(note.ok());
  CHECK(job.state == JobState::kPending);
  CHECK(job.task.lease.id.empty());
  REQUIRE(job.steps.size() == 2);
  CHECK(job.steps[0].state == StepState::kDone);
  CHECK(job.steps[1].state == StepState::kPending);  // interrupted step will be redone
  CHECK(job.attempts == 1);

  SECTION("expiry on the last attempt is permanent") {
    job.attempts = 2;
    REQUIRE(Claim(job, "a2", "L2", deadline, policy).ok());
    CHECK(job.attempts == 3);
    REQUIRE(ExpireLease(job, deadline + kLeaseMs, policy).ok());
    CHECK(job.state == JobState::kFailedPermanent);
    CHECK_THAT(job.error, Catch::Contains("expired"));
  }
}

TEST_CASE("release hands the job back without counting the attempt") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(Claim(job, "a1", "L1", kT0, policy).ok());
  auto note = Release(job, "L1", "SIGTERM", kT0 + 5);
  REQUIRE(note.ok());
  CHECK(job.state == JobState::kPending);
  CHECK(job.attempts == 0);
  CHECK(job.task.lease.id.empty());
  CHECK_THAT(*note, Catch::Contains("SIGTERM"));
}

TEST_CASE("reset revives any state and forgets later steps") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(Claim(job, "a1", "L1", kT0, policy).ok());
  for (int i = 0; i < 3; ++i) {
    REQUIRE(ApplyStepReport(job, Report("L1", i, StepEvent::kFinished), "a1", kT0, policy, 0).ok());
  }
  auto fail = Report("L1", 3, StepEvent::kFailed);
  fail.retryable = false;
  REQUIRE(ApplyStepReport(job, fail, "a1", kT0, policy, 0).ok());
  REQUIRE(job.state == JobState::kFailedPermanent);

  SECTION("from a middle step") {
    REQUIRE(Reset(job, 2, kT0 + 1).ok());
    CHECK(job.state == JobState::kPending);
    CHECK(job.attempts == 0);
    CHECK(job.error.empty());
    REQUIRE(job.steps.size() == 2);
    CHECK(job.steps.back().index == 1);
    CHECK(job.step == "step1");
    CHECK(IsClaimable(job, kT0 + 1));
  }
  SECTION("from the start clears the plan") {
    job.plan = "dv-convert";
    REQUIRE(Reset(job, 0, kT0 + 1).ok());
    CHECK(job.steps.empty());
    CHECK(job.plan.empty());
  }
  SECTION("out of range step") {
    CHECK(Reset(job, 9, kT0).status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(Reset(job, -1, kT0).status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(job.state == JobState::kFailedPermanent);
  }
  SECTION("a running job loses its lease") {
    Job running = NewJob();
    REQUIRE(Claim(running, "a1", "L9", kT0, policy).ok());
    REQUIRE(Reset(running, 0, kT0 + 1).ok());
    CHECK(running.task.lease.id.empty());
    CHECK(CheckLease(running, "L9", kT0 + 2).code() == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a cancelled job is revived") {
    Job cancelled = NewJob();
    REQUIRE(Cancel(cancelled, kT0).ok());
    REQUIRE(Reset(cancelled, 0, kT0 + 1).ok());
    CHECK(cancelled.state == JobState::kPending);
  }
}

TEST_CASE("cancel stops non-terminal jobs only") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(Claim(job, "a1", "L1", kT0, policy).ok());
  REQUIRE(Cancel(job, kT0 + 1).ok());
  CHECK(job.state == JobState::kCancelled);
  CHECK(job.task.lease.id.empty());
  CHECK(Cancel(job, kT0 + 2).status().code() == absl::StatusCode::kFailedPrecondition);
  Job done = NewJob();
  done.state = JobState::kCompleted;
  CHECK(Cancel(done, kT0).status().code() == absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mkvfleet::server

namespace mkvfleet::server {
namespace {

TEST_CASE("resuming voids the records of steps that will be redone") {
  JobPolicy policy;
  Job job = NewJob();
  REQUIRE(Claim(job, "a1", "L1", kT0, policy).ok());
  for (int i = 0; i < 3; ++i) {
    auto fin = Report("L1", i, StepEvent::kFinished);
    fin.checkpoint.facts["k"] = "v";
    REQUIRE(ApplyStepReport(job, fin, "a1", kT0, policy, 0).ok());
  }
  SECTION("PrepareResume resets steps from the resume point") {
    PrepareResume(job, 1);
    CHECK(job.steps[0].state == StepState::kDone);
    CHECK(job.steps[0].checkpoint.facts.size() == 1);
    CHECK(job.steps[1].state == StepState::kPending);
    CHECK(job.steps[1].checkpoint.facts.empty());
    CHECK(job.steps[2].state == StepState::kPending);
  }
  SECTION("starting a step drops the records of later steps") {
    REQUIRE(ApplyStepReport(job, Report("L1", 1, StepEvent::kStarted), "a1", kT0, policy, 0).ok());
    REQUIRE(job.steps.size() == 2);
    CHECK(job.steps[1].state == StepState::kRunning);
    CHECK(job.steps[0].state == StepState::kDone);
  }
}

}  // namespace
}  // namespace mkvfleet::server
