// One thread that runs scheduled callbacks at their time: the clock of the open-loop agents
// (heartbeat ticks, step ticks, claim polls), so a thousand agents need one thread, not a thousand.
#pragma once

#include <functional>
#include <queue>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mkvfleet::bench {

// Thread-safe. Callbacks run on the queue's thread, in time order; they must not block for long
// (they send asynchronous RPCs). Destroying the queue drops what has not run yet.
class TimerQueue {
 public:
  TimerQueue();
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `fn(scheduled_time)` at `when` (at once when it has passed).
  void RunAt(absl::Time when, std::function<void(absl::Time)> fn);

 private:
  struct Item {
    absl::Time when;
    int64_t seq;
    std::function<void(absl::Time)> fn;
    bool operator>(const Item& o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };
  void Loop();
  bool ShouldWake() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || wake_; }

  absl::Mutex mu_;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> items_ ABSL_GUARDED_BY(mu_);
  int64_t seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;  // an item earlier than the awaited one arrived
  std::thread thread_;
};

}  // namespace mkvfleet::bench
