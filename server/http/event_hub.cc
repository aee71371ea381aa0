// SSE formatting and per-page event queues; see event_hub.h.
#include "server/http/event_hub.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/http/json_view.h"

namespace mkvfleet::http {

std::string FormatSse(absl::string_view event_name, absl::string_view data) {
  return absl::StrCat("event: ", event_name, "\ndata: ", data, "\n\n");
}

std::string EventToSse(const v1::Event& event) {
  const nlohmann::json j = EventToJson(event);
  return FormatSse(j.value("kind", "unspecified"), j.dump());
}

std::optional<std::string> EventHub::Listener::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || overflowed_ || !queue_.empty();
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (closed_) return std::nullopt;
  std::string out;
  if (overflowed_) {
    // The page missed events: drop what is queued and make it reload everything.
    overflowed_ = false;
    queue_.clear();
    return FormatSse("resync", "{}");
  }
  while (!queue_.empty()) {
    out += queue_.front();
    queue_.pop_front();
  }
  return out;
}

void EventHub::Listener::Push(const std::string& message, size_t capacity) {
  absl::MutexLock lock(&mu_);
  if (closed_ || overflowed_) return;
  if (queue_.size() >= capacity) {
    overflowed_ = true;
    return;
  }
  queue_.push_back(message);
}

void EventHub::Listener::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

void EventHub::Publish(const v1::Event& event) { PublishRaw(EventToSse(event)); }

void EventHub::PublishRaw(const std::string& sse_message) {
  std::vector<std::shared_ptr<Listener>> targets;
  {
    absl::MutexLock lock(&mu_);
    targets = listeners_;
  }
  for (const auto& l : targets) l->Push(sse_message, capacity_);
}

std::shared_ptr<EventHub::Listener> EventHub::Connect() {
  absl::MutexLock lock(&mu_);
  if (closed_) return nullptr;
  listeners_.push_back(std::make_shared<Listener>());
  return listeners_.back();
}

void EventHub::Disconnect(const std::shared_ptr<Listener>& listener) {
  absl::MutexLock lock(&mu_);
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), listener), listeners_.end());
}

size_t EventHub::listener_count() const {
  absl::MutexLock lock(&mu_);
  return listeners_.size();
}

void EventHub::Close() {
  std::vector<std::shared_ptr<Listener>> targets;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    targets.swap(listeners_);
  }
  for (const auto& l : targets) l->Close();
}

}  // namespace mkvfleet::http
