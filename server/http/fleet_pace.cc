// Per-agent fps buckets and completed-job times (see the header).
#include "server/http/fleet_pace.h"

#include <algorithm>

namespace mkvfleet::http {
namespace {

// The span the history covers.
absl::Duration Window() { return FleetPace::kBucket * FleetPace::kBuckets; }
// Jobs remembered for the "last state" check; beyond it the oldest are forgotten.
constexpr size_t kMaxTrackedJobs = 100000;

int64_t BucketOf(absl::Time t) { return absl::ToUnixSeconds(t) / absl::ToInt64Seconds(FleetPace::kBucket); }

}  // namespace

void FleetPace::AddSample(const std::string& agent, double fps, absl::Time now) {
  std::deque<Bucket>& buckets = agents_[agent];
  const int64_t index = BucketOf(now);
  if (buckets.empty() || buckets.back().index != index) buckets.push_back(Bucket{index, 0, 0});
  buckets.back().sum += fps;
  ++buckets.back().samples;
  while (!buckets.empty() && buckets.front().index <= index - kBuckets) buckets.pop_front();
}

void FleetPace::Observe(const v1::Event& event, absl::Time now) {
  if (event.kind() != v1::EVENT_KIND_JOB_CHANGED) return;
  const v1::Job& job = event.job();
  absl::MutexLock lock(&mu_);
  if (!first_event_) first_event_ = now;
  if (job.state() == v1::JOB_STATE_RUNNING) {
    bool chunk_running = false;
    for (const v1::Chunk& c : job.chunks()) {
      if (c.state() != v1::CHUNK_STATE_RUNNING || c.agent().empty()) continue;
      chunk_running = true;
      if (c.progress().fps() > 0) AddSample(c.agent(), c.progress().fps(), now);
    }
    if (!chunk_running && !job.agent().empty() && job.progress().fps() > 0) {
      AddSample(job.agent(), job.progress().fps(), now);
    }
  }
  const auto [it, inserted] = last_state_.try_emplace(job.id(), job.state());
  const bool newly_completed = job.state() == v1::JOB_STATE_COMPLETED &&
                               (inserted || it->second != v1::JOB_STATE_COMPLETED);
  it->second = job.state();
  if (last_state_.size() > kMaxTrackedJobs) last_state_.erase(last_state_.begin());
  if (newly_completed) completions_.push_back(now);
  while (!completions_.empty() && completions_.front() < now - Window()) completions_.pop_front();
}

std::vector<double> FleetPace::AgentFps(const std::string& agent, absl::Time now) const {
  std::vector<double> out(kBuckets, 0.0);
  absl::MutexLock lock(&mu_);
  const auto it = agents_.find(agent);
  if (it == agents_.end()) return out;
  const int64_t last = BucketOf(now);
  for (const Bucket& b : it->second) {
    const int64_t slot = b.index - (last - kBuckets + 1);
    if (slot >= 0 && slot < kBuckets && b.samples > 0) out[slot] = b.sum / b.samples;
  }
  return out;
}

double FleetPace::CompletedPerHour(absl::Time now) const {
  absl::MutexLock lock(&mu_);
  if (!first_event_) return 0;
  const absl::Duration span = std::clamp(now - *first_event_, kBucket, Window());
  const auto recent = std::count_if(completions_.begin(), completions_.end(),
                                    [&](absl::Time t) { return t >= now - span; });
  return static_cast<double>(recent) / absl::ToDoubleHours(span);
}

std::optional<absl::Duration> FleetPace::QueueEta(int64_t remaining, absl::Time now) const {
  const double per_hour = CompletedPerHour(now);
  if (remaining <= 0 || per_hour <= 0) return std::nullopt;
  return absl::Hours(static_cast<double>(remaining) / per_hour);
}

}  // namespace mkvfleet::http
