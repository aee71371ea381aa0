// Watch folders enqueue a file only once it stopped changing: a copy in progress must not become a
// job (it would be converted half-written, then queued again). SettleTracker is the pure memory of
// that rule; the watcher feeds it what inotify and rescans see and re-stats what comes due.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mkvfleet::server {

// What a stat of a library file showed.
struct FileObservation {
  std::string path;
  int64_t size_bytes = 0;
  int64_t mtime_ms = 0;
};

// Not thread-safe (one watcher thread owns it). Times are milliseconds from the caller's clock.
class SettleTracker {
 public:
  explicit SettleTracker(int64_t settle_ms) : settle_ms_(settle_ms) {}

  // Records a sighting at now_ms. A new (size, mtime) restarts the file's settle clock; the same
  // one keeps it. A file already handed over with this (size, mtime) is ignored.
  void Observe(const FileObservation& obs, int64_t now_ms);
  // The file is gone (deleted or moved away): forgets it entirely.
  void Forget(const std::string& path);
  // Paths whose settle time has passed since they were last seen changing; sorted.
  std::vector<std::string> Due(int64_t now_ms) const;
  // Given a fresh stat of a due path: true when it still has the observed (size, mtime), i.e. it
  // is ready; it is then handed over (no longer pending; ignored until it changes again).
  // False when it changed: its settle clock restarts with `current`. False for unknown paths.
  bool Confirm(const FileObservation& current, int64_t now_ms);
  // Undoes a hand-over (e.g. the enqueue was deferred), so the next sighting tracks it again.
  void Unhandle(const std::string& path);
  // When the earliest pending file comes due; nullopt when nothing is pending.
  std::optional<int64_t> NextDueMs() const;
  size_t pending() const { return pending_.size(); }

 private:
  struct Seen {
    int64_t size_bytes = 0;
    int64_t mtime_ms = 0;
    int64_t since_ms = 0;  // when this (size, mtime) was first seen
  };
  const int64_t settle_ms_;
  std::map<std::string, Seen> pending_;
  std::map<std::string, std::pair<int64_t, int64_t>> handed_;  // path -> (size, mtime)
};

}  // namespace mkvfleet::server
