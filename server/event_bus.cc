// Per-subscriber queues bounded in events and bytes; slow subscribers are dropped, publishers never
// wait.
#include "server/event_bus.h"

#include <algorithm>

#include "spdlog/spdlog.h"

namespace mkvfleet::server {
namespace {

// Fixed cost per queued element (the struct itself, allocator overhead).
constexpr size_t kElementOverhead = 64;

size_t Bytes(const Checkpoint& c) {
  size_t n = 0;
  for (const Artifact& a : c.artifacts) {
    n += kElementOverhead + a.name.size() + a.path.size() + a.agent.size();
  }
  for (const auto& [key, value] : c.facts) n += kElementOverhead + key.size() + value.size();
  return n;
}

size_t Bytes(const Job& j) {
  size_t n = j.path.size() + j.library_root.size() + j.output_path.size() + j.step.size() +
             j.error.size() + j.output.size() + j.plan.size() + j.plan_override.size() +
             j.agent.size() + j.chunk_manifest.size() + j.task.lease.id.size() +
             j.task.lease.agent.size();
  for (const StepRecord& s : j.steps) {
    n += kElementOverhead + sizeof(StepRecord) + s.name.size() + s.agent.size() + s.message.size() +
         Bytes(s.checkpoint);
  }
  for (const Chunk& c : j.chunks) {
    n += kElementOverhead + sizeof(Chunk) + c.agent.size() + c.error.size() +
         c.task.lease.id.size() + c.task.lease.agent.size() + Bytes(c.checkpoint);
  }
  return n;
}

}  // namespace

size_t ApproximateBytes(const StoreEvent& event) {
  const AgentRecord& a = event.agent;
  size_t n = sizeof(StoreEvent) + Bytes(event.job) + a.name.size() + a.version.size() +
             a.capabilities.work_dir.size() + a.capabilities.shared_work_dir.size() +
             event.log.source.size() + event.log.level.size() + event.log.text.size();
  for (const Tool& t : a.capabilities.tools) {
    n += kElementOverhead + t.name.size() + t.version.size() + t.path.size();
  }
  return n;
}

bool EventSubscription::Wants(const StoreEvent& event) const {
  if (job_id_filter_ == 0) return true;
  return event.kind != StoreEvent::Kind::kAgentChanged && event.job.id == job_id_filter_;
}

bool EventSubscription::Offer(const StoreEvent& event) {
  if (!Wants(event)) return true;
  const size_t bytes = ApproximateBytes(event);
  absl::MutexLock lock(&mu_);
  if (closed_) return true;
  if (queue_.size() >= capacity_) return false;
  if (!queue_.empty() && queued_bytes_ + bytes > max_bytes_) return false;
  queue_.emplace_back(event, bytes);
  queued_bytes_ += bytes;
  return true;
}

void EventSubscription::Close(bool dropped) {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  dropped_ = dropped_ || dropped;
  queue_.clear();
  queued_bytes_ = 0;
}

std::optional<StoreEvent> EventSubscription::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closed_ || !queue_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (closed_ || queue_.empty()) return std::nullopt;
  StoreEvent ev = std::move(queue_.front().first);
  queued_bytes_ -= queue_.front().second;
  queue_.pop_front();
  return ev;
}

bool EventSubscription::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

bool EventSubscription::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

std::shared_ptr<EventSubscription> EventBus::Subscribe(int64_t job_id) {
  auto sub = std::make_shared<EventSubscription>(job_id, capacity_, max_bytes_);
  absl::MutexLock lock(&mu_);
  if (closed_) {
    sub->Close(false);
  } else {
    subscribers_.push_back(sub);
  }
  return sub;
}

void EventBus::Unsubscribe(const std::shared_ptr<EventSubscription>& subscription) {
  absl::MutexLock lock(&mu_);
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), subscription),
                     subscribers_.end());
}

void EventBus::Publish(const StoreEvent& event) {
  absl::MutexLock lock(&mu_);
  auto slow = std::remove_if(subscribers_.begin(), subscribers_.end(),
                             [&](const std::shared_ptr<EventSubscription>& s) {
                               if (s->Offer(event)) return false;
                               s->Close(/*dropped=*/true);
                               spdlog::warn(
                                   "event watcher dropped reason=\"fell behind: queue full\" "
                                   "max_events={} max_bytes={}",
                                   capacity_, max_bytes_);
                               return true;
                             });
  subscribers_.erase(slow, subscribers_.end());
}

void EventBus::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (auto& s : subscribers_) s->Close(false);
  subscribers_.clear();
}

size_t EventBus::subscriber_count() const {
  absl::MutexLock lock(&mu_);
  return subscribers_.size();
}

}  // namespace mkvfleet::server
