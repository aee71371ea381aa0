// The fleet's measured speed, from the live events the dashboard already receives: each agent's
// encode fps over the last hours (the agents page's sparklines) and the jobs finished per hour
// (the jobs page's queue-wide ETA). In memory since the coordinator started; thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "mkvfleet/v1/admin.pb.h"

namespace mkvfleet::http {

class FleetPace {
 public:
  // How the history is cut: 72 buckets of 5 minutes (6 hours).
  static constexpr absl::Duration kBucket = absl::Minutes(5);
  static constexpr int kBuckets = 72;

  // Takes one live event at `now`: a running job's (or running chunk's) agent and fps become a
  // sample for that agent; a job newly completed counts as one finished job.
  void Observe(const v1::Event& event, absl::Time now);

  // `agent`'s mean fps per bucket, oldest first, kBuckets values ending with the bucket of
  // `now`; 0 where it reported no encoding.
  std::vector<double> AgentFps(const std::string& agent, absl::Time now) const;

  // Jobs completed per hour over the last kBuckets * kBucket (or since the first observed event,
  // when that is shorter but at least one bucket).
  double CompletedPerHour(absl::Time now) const;

  // When `remaining` jobs (pending + running) are done at CompletedPerHour; nullopt without a
  // measured pace (nothing completed yet) or with nothing remaining.
  std::optional<absl::Duration> QueueEta(int64_t remaining, absl::Time now) const;

 private:
  struct Bucket {
    int64_t index = 0;  // time / kBucket
    double sum = 0;
    int64_t samples = 0;
  };
  void AddSample(const std::string& agent, double fps, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, std::deque<Bucket>> agents_ ABSL_GUARDED_BY(mu_);
  std::deque<absl::Time> completions_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, v1::JobState> last_state_ ABSL_GUARDED_BY(mu_);  // to count each completion once
  std::optional<absl::Time> first_event_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mkvfleet::http
