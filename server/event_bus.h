// In-process fan-out of committed store changes to live watchers: the AdminService WatchEvents
// streams, which also feed the web dashboard's server-sent events (served by server/http) and the
// webhooks (server/ops). Publishing never blocks on a watcher: each subscriber has a bounded
// queue, and a subscriber whose queue is full is dropped (its stream ends; the client reconnects
// and re-reads state). Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/constants.h"
#include "server/store/store_events.h"

namespace mkvfleet::server {

// One watcher's queue.
class EventSubscription {
 public:
  EventSubscription(int64_t job_id_filter, size_t capacity)
      : job_id_filter_(job_id_filter), capacity_(capacity) {}

  // The next event, waiting up to `timeout`; nullopt on timeout or once closed (check closed()).
  std::optional<StoreEvent> Next(absl::Duration timeout);
  // True once dropped for falling behind or closed by the bus; queued events are discarded.
  bool closed() const;
  // True when the queue overflowed (as opposed to a normal close).
  bool dropped() const;

 private:
  friend class EventBus;
  // Queues `event` if it passes the filter; false when the queue is full (the caller drops us).
  bool Offer(const StoreEvent& event);
  void Close(bool dropped);
  bool Wants(const StoreEvent& event) const;

  const int64_t job_id_filter_;  // 0 = all events
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<StoreEvent> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool dropped_ ABSL_GUARDED_BY(mu_) = false;
};

class EventBus {
 public:
  explicit EventBus(size_t capacity_per_subscriber = kEventQueueCapacity)
      : capacity_(capacity_per_subscriber) {}

  // A new subscription receiving events published from now on; job_id 0 = all jobs and agents,
  // otherwise only that job's changes and log lines. After Close() the subscription is closed.
  std::shared_ptr<EventSubscription> Subscribe(int64_t job_id = 0);
  void Unsubscribe(const std::shared_ptr<EventSubscription>& subscription);
  // Hands `event` to every subscriber; drops (closes) those whose queue is full.
  void Publish(const StoreEvent& event);
  // Closes every subscription and refuses new ones (shutdown).
  void Close();
  size_t subscriber_count() const;

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<EventSubscription>> subscribers_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mkvfleet::server
