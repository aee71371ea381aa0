// The settle rule for watch folders.
#include "server/library/settle_tracker.h"

#include <algorithm>

namespace mkvfleet::server {

void SettleTracker::Observe(const FileObservation& obs, int64_t now_ms) {
  auto handed = handed_.find(obs.path);
  if (handed != handed_.end()) {
    if (handed->second == std::make_pair(obs.size_bytes, obs.mtime_ms)) return;
    handed_.erase(handed);  // changed since it was handed over: a new version to settle
  }
  auto it = pending_.find(obs.path);
  if (it != pending_.end() && it->second.size_bytes == obs.size_bytes &&
      it->second.mtime_ms == obs.mtime_ms) {
    return;
  }
  pending_[obs.path] = Seen{obs.size_bytes, obs.mtime_ms, now_ms};
}

void SettleTracker::Forget(const std::string& path) {
  pending_.erase(path);
  handed_.erase(path);
}

std::vector<std::string> SettleTracker::Due(int64_t now_ms) const {
  std::vector<std::string> due;
  for (const auto& [path, seen] : pending_) {
    if (now_ms - seen.since_ms >= settle_ms_) due.push_back(path);
  }
  return due;
}

bool SettleTracker::Confirm(const FileObservation& current, int64_t now_ms) {
  auto it = pending_.find(current.path);
  if (it == pending_.end()) return false;
  const Seen& seen = it->second;
  if (seen.size_bytes != current.size_bytes || seen.mtime_ms != current.mtime_ms) {
    it->second = Seen{current.size_bytes, current.mtime_ms, now_ms};
    return false;
  }
  if (now_ms - seen.since_ms < settle_ms_) return false;
  handed_[current.path] = {current.size_bytes, current.mtime_ms};
  pending_.erase(it);
  return true;
}

void SettleTracker::Unhandle(const std::string& path) { handed_.erase(path); }

std::optional<int64_t> SettleTracker::NextDueMs() const {
  std::optional<int64_t> next;
  for (const auto& [path, seen] : pending_) {
    const int64_t due = seen.since_ms + settle_ms_;
    next = next ? std::min(*next, due) : due;
  }
  return next;
}

}  // namespace mkvfleet::server
