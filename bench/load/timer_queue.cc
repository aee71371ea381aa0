// See timer_queue.h.
#include "bench/load/timer_queue.h"

#include "absl/time/clock.h"

namespace mkvfleet::bench {

TimerQueue::TimerQueue() : thread_([this] { Loop(); }) {}

TimerQueue::~TimerQueue() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void TimerQueue::RunAt(absl::Time when, std::function<void(absl::Time)> fn) {
  absl::MutexLock lock(&mu_);
  if (items_.empty() || when < items_.top().when) wake_ = true;
  items_.push(Item{when, seq_++, std::move(fn)});
}

void TimerQueue::Loop() {
  while (true) {
    Item item;
    {
      absl::MutexLock lock(&mu_);
      while (true) {
        if (stopping_) return;
        const absl::Time now = absl::Now();
        if (!items_.empty() && items_.top().when <= now) break;
        // Wake for a new earlier item, a stop, or the first item's time.
        const absl::Time wake = items_.empty() ? absl::InfiniteFuture() : items_.top().when;
        wake_ = false;
        mu_.AwaitWithDeadline(absl::Condition(this, &TimerQueue::ShouldWake), wake);
      }
      item = std::move(const_cast<Item&>(items_.top()));
      items_.pop();
    }
    item.fn(item.when);
  }
}

}  // namespace mkvfleet::bench
