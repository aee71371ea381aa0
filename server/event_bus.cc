// Bounded per-subscriber queues; slow subscribers are dropped, publishers never wait.
#include "server/event_bus.h"

#include <algorithm>

#include "spdlog/spdlog.h"

namespace mkvfleet::server {

bool EventSubscription::Wants(const StoreEvent& event) const {
  if (job_id_filter_ == 0) return true;
  return event.kind != StoreEvent::Kind::kAgentChanged && event.job.id == job_id_filter_;
}

bool EventSubscription::Offer(const StoreEvent& event) {
  if (!Wants(event)) return true;
  absl::MutexLock lock(&mu_);
  if (closed_) return true;
  if (queue_.size() >= capacity_) return false;
  queue_.push_back(event);
  return true;
}

void EventSubscription::Close(bool dropped) {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  dropped_ = dropped_ || dropped;
  queue_.clear();
}

std::optional<StoreEvent> EventSubscription::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closed_ || !queue_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (closed_ || queue_.empty()) return std::nullopt;
  StoreEvent ev = std::move(queue_.front());
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
  auto sub = std::make_shared<EventSubscription>(job_id, capacity_);
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
                               spdlog::warn("event watcher dropped reason=\"queue full\"");
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
