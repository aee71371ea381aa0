// LiveState: the leases of saved jobs, renewals in memory, the overlay on jobs read back, expiry
// candidates, restart grace and which job an agent holds.
#include "server/store/live_state.h"

#include <catch2/catch.hpp>

namespace mkvfleet::server {
namespace {

Job LeasedJob(int64_t id, int64_t task_id, const std::string& agent, int64_t deadline) {
  Job job;
  job.id = id;
  job.state = JobState::kRunning;
  job.task.id = task_id;
  job.task.lease = Lease{"lease-" + std::to_string(task_id), agent, deadline};
  job.progress.frames_done = 1;
  job.updated_ms = 100;
  return job;
}

TEST_CASE("renewals change the deadline and progress a job read back shows") {
  LiveState live;
  Job saved = LeasedJob(7, 70, "a", 1000);
  live.Replace(LeasesOf(saved));
  REQUIRE(live.Renew(70, "a", "lease-70", 500, 5000, Progress{40, 100, 2.0, 30000}).ok());
  Job read = saved;  // as the table still has it
  live.Overlay(read);
  CHECK(read.task.lease.deadline_ms == 5000);
  CHECK(read.progress.frames_done == 40);
  CHECK(read.updated_ms == 500);
  CHECK(live.CurrentJobOf("a") == 7);
  CHECK(live.CurrentJobOf("b") == 0);
}

TEST_CASE("renewals the job rules would refuse change nothing") {
  LiveState live;
  live.Replace(LeasesOf(LeasedJob(7, 70, "a", 1000)));
  CHECK(absl::IsNotFound(live.Renew(71, "a", "lease-71", 500, 5000, {})));
  CHECK(absl::IsFailedPrecondition(live.Renew(70, "a", "other", 500, 5000, {})));
  CHECK(absl::IsFailedPrecondition(live.Renew(70, "b", "lease-70", 500, 5000, {})));
  auto expired = live.Renew(70, "a", "lease-70", 1000, 5000, {});
  CHECK(absl::IsFailedPrecondition(expired));
  CHECK_THAT(std::string(expired.message()), Catch::Contains("expired"));
  REQUIRE(live.FindLease(70) != nullptr);
  CHECK(live.FindLease(70)->lease.deadline_ms == 1000);
}

TEST_CASE("a saved job without its lease drops it; a new lease id ignores the old renewal") {
  LiveState live;
  Job job = LeasedJob(7, 70, "a", 1000);
  live.Replace(LeasesOf(job));
  REQUIRE(live.Renew(70, "a", "lease-70", 500, 5000, {}).ok());
  job.task.lease = Lease{};
  job.state = JobState::kPending;
  live.Replace(LeasesOf(job));
  CHECK(live.FindLease(70) == nullptr);
  CHECK(live.CurrentJobOf("a") == 0);
  // A read of a job under another lease id than the live one is left as read.
  live.Replace(LeasesOf(LeasedJob(7, 70, "a", 1000)));
  Job other = LeasedJob(7, 70, "b", 900);
  other.task.lease.id = "newer";
  live.Overlay(other);
  CHECK(other.task.lease.deadline_ms == 900);
}

TEST_CASE("chunk leases overlay their chunk and the job's summed progress") {
  LiveState live;
  Job job;
  job.id = 3;
  job.state = JobState::kRunning;
  job.task.id = 30;
  for (int i = 0; i < 2; ++i) {
    Chunk c;
    c.index = i;
    c.frames = 100;
    c.state = ChunkState::kRunning;
    c.task.id = 31 + i;
    c.task.lease = Lease{"c" + std::to_string(i), "a" + std::to_string(i), 1000};
    job.chunks.push_back(c);
  }
  live.Replace(LeasesOf(job));
  REQUIRE(live.Renew(31, "a0", "c0", 10, 2000, Progress{50, 100, 1, 0}).ok());
  REQUIRE(live.Renew(32, "a1", "c1", 10, 2000, Progress{25, 100, 1, 0}).ok());
  Job read = job;
  live.Overlay(read);
  CHECK(read.chunks[0].progress.frames_done == 50);
  CHECK(read.chunks[1].task.lease.deadline_ms == 2000);
  CHECK(read.progress.frames_done == 75);
  CHECK(read.progress.frames_total == 200);
}

TEST_CASE("expiry candidates and restart grace") {
  LiveState live;
  live.Replace(LeasesOf(LeasedJob(1, 10, "a", 100)));
  live.Replace(LeasesOf(LeasedJob(2, 20, "b", 900)));
  CHECK(live.ExpiredTasks(99).empty());
  CHECK(live.ExpiredTasks(100) == std::vector<int64_t>{10});
  CHECK(live.ExpiredTasks(900) == std::vector<int64_t>{10, 20});
  CHECK(live.ExtendDeadlines(500) == 1);
  CHECK(live.FindLease(10)->lease.deadline_ms == 500);
  CHECK(live.FindLease(20)->lease.deadline_ms == 900);
}

}  // namespace
}  // namespace mkvfleet::server
