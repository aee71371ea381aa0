// In-process fan-out of committed store changes to live watchers: the AdminService WatchEvents
// streams, which also feed the web dashboard's server-sent events (served by server/http) and the
// webhooks (server/ops). Publishing never blocks on a watcher: each subscriber has a queue bounded
// in events and in bytes, and a subscriber whose queue is full is dropped (its stream ends; the
// client reconnects and re-reads state). So one slow watcher costs the coordinator at most
// capacity events or max_bytes, whichever comes first. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/constants.h"
#include "server/store/store_events.h"

namespace mkvfleet::server {

// Memory an event holds in a queue, estimated from its strings and repeated fields (exact to
// within a small constant per element; what matters is that it grows with the event).
size_t ApproximateBytes(const StoreEvent& event);

// One watcher's queue.
class EventSubscription {
 public:
  EventSubscription(int64_t job_id_filter, size_t capacity, size_t max_bytes)
      : job_id_filter_(job_id_filter), capacity_(capacity), max_bytes_(max_bytes) {}

  // The next event, waiting up to `timeout`; nullopt on timeout or once closed (check closed()).
  std::optional<StoreEvent> Next(absl::Duration timeout);
  // True once dropped for falling behind or closed by the bus; queued events are discarded.
  bool closed() const;
  // True when the queue overflowed (as opposed to a normal close).
  bool dropped() const;

 private:
  friend class EventBus;
  // Queues `event` if it passes the filter; false when the queue is full, in events or in bytes
  // (the caller drops us). An event alone in the queue is always taken, however large.
  bool Offer(const StoreEvent& event);
  void Close(bool dropped);
  bool Wants(const StoreEvent& event) const;

  const int64_t job_id_filter_;  // 0 = all events
  const size_t capacity_;
  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  std::deque<std::pair<StoreEvent, size_t>> queue_ ABSL_GUARDED_BY(mu_);  // event, its bytes
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool dropped_ ABSL_GUARDED_BY(mu_) = false;
};

class EventBus {
 public:
  explicit EventBus(size_t capacity_per_subscriber = kEventQueueCapacity,
                    size_t max_bytes_per_subscriber = kEventQueueMaxBytes)
      : capacity_(capacity_per_subscriber), max_bytes_(max_bytes_per_subscriber) {}

  // A new subscription receiving events published from now on; job_id 0 = all jobs and agents,
  // otherwise only that job's changes and log lines. After Close() the subscription is closed.
  std::shared_ptr<EventSubscription> Subscribe(int64_t job_id = 0);
  void Unsubscribe(const std::shared_ptr<EventSubscription>& subscription);
  // Hands `event` to every subscriber; drops (closes) those whose queue is full (events or bytes).
  void Publish(const StoreEvent& event);
  // Closes every subscription and refuses new ones (shutdown).
  void Close();
  size_t subscriber_count() const;

 private:
  const size_t capacity_;
  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<EventSubscription>> subscribers_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace mkvfleet::server
