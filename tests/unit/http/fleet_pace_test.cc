// FleetPace: per-agent fps buckets (whole jobs and chunks), the 6-hour window, completions
// counted once, and the queue ETA they give. Times are literal; nothing sleeps.
#include "server/http/fleet_pace.h"

#include <catch2/catch.hpp>

#include <algorithm>

namespace mkvfleet::http {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);  // a bucket boundary (divisible by 300)

v1::Event Running(int64_t id, const std::string& agent, double fps) {
  v1::Event e;
  e.set_kind(v1::EVENT_KIND_JOB_CHANGED);
  e.mutable_job()->set_id(id);
  e.mutable_job()->set_state(v1::JOB_STATE_RUNNING);
  e.mutable_job()->set_agent(agent);
  e.mutable_job()->mutable_progress()->set_fps(fps);
  return e;
}

v1::Event Completed(int64_t id) {
  v1::Event e;
  e.set_kind(v1::EVENT_KIND_JOB_CHANGED);
  e.mutable_job()->set_id(id);
  e.mutable_job()->set_state(v1::JOB_STATE_COMPLETED);
  return e;
}

TEST_CASE("agent fps is averaged per 5-minute bucket over the last 6 hours") {
  FleetPace pace;
  pace.Observe(Running(1, "vm1", 10), kT0);
  pace.Observe(Running(1, "vm1", 20), kT0 + absl::Minutes(1));
  pace.Observe(Running(1, "vm1", 30), kT0 + absl::Minutes(12));  // two buckets later
  std::vector<double> fps = pace.AgentFps("vm1", kT0 + absl::Minutes(12));
  REQUIRE(fps.size() == FleetPace::kBuckets);
  CHECK(fps.back() == Approx(30));
  CHECK(fps[FleetPace::kBuckets - 2] == 0);  // nothing reported in between
  CHECK(fps[FleetPace::kBuckets - 3] == Approx(15));
  CHECK(pace.AgentFps("vm2", kT0) == std::vector<double>(FleetPace::kBuckets, 0.0));
  // Six hours on, the first bucket has left the window.
  fps = pace.AgentFps("vm1", kT0 + absl::Hours(6));  // buckets kT0 + 5 min .. kT0 + 6 h
  CHECK(fps[0] == 0);
  CHECK(fps[1] == Approx(30));
  CHECK(std::count(fps.begin(), fps.end(), 0.0) == FleetPace::kBuckets - 1);
}

TEST_CASE("a chunked job's running chunks count for their own agents") {
  FleetPace pace;
  v1::Event e = Running(4, "vm1", 99);
  for (const char* agent : {"vm2", "vm3"}) {
    v1::Chunk* c = e.mutable_job()->add_chunks();
    c->set_state(v1::CHUNK_STATE_RUNNING);
    c->set_agent(agent);
    c->mutable_progress()->set_fps(agent[2] == '2' ? 4 : 6);
  }
  v1::Chunk* done = e.mutable_job()->add_chunks();
  done->set_state(v1::CHUNK_STATE_DONE);
  done->set_agent("vm4");
  done->mutable_progress()->set_fps(50);
  pace.Observe(e, kT0);
  CHECK(pace.AgentFps("vm2", kT0).back() == Approx(4));
  CHECK(pace.AgentFps("vm3", kT0).back() == Approx(6));
  CHECK(pace.AgentFps("vm1", kT0).back() == 0);  // the job-level agent is not double counted
  CHECK(pace.AgentFps("vm4", kT0).back() == 0);
}

TEST_CASE("completions are counted once and give the queue ETA") {
  FleetPace pace;
  CHECK(pace.CompletedPerHour(kT0) == 0);
  CHECK_FALSE(pace.QueueEta(10, kT0).has_value());
  pace.Observe(Running(1, "vm1", 10), kT0);
  for (int id = 1; id <= 3; ++id) pace.Observe(Completed(id), kT0 + absl::Minutes(30));
  pace.Observe(Completed(1), kT0 + absl::Minutes(40));  // the same completion again
  const absl::Time now = kT0 + absl::Hours(1);
  CHECK(pace.CompletedPerHour(now) == Approx(3));  // 3 jobs in the hour since the first event
  REQUIRE(pace.QueueEta(6, now).has_value());
  CHECK(*pace.QueueEta(6, now) == absl::Hours(2));
  CHECK_FALSE(pace.QueueEta(0, now).has_value());
  // Seven hours later they are out of the 6-hour window.
  CHECK(pace.CompletedPerHour(kT0 + absl::Hours(7)) == 0);
}

}  // namespace
}  // namespace mkvfleet::http
