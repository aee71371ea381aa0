// Enqueue dedup by (path, size, mtime).
#include "server/library/dedup.h"

namespace mkvfleet::server {

DedupDecision DecideEnqueue(const std::optional<Job>& latest, int64_t size_bytes,
                            int64_t mtime_ms) {
  if (!latest.has_value()) return DedupDecision::kCreate;
  if (latest->size_bytes == size_bytes && latest->mtime_ms == mtime_ms) {
    return DedupDecision::kDuplicate;
  }
  if (latest->state == JobState::kRunning) return DedupDecision::kWaitForRunning;
  return DedupDecision::kRequeue;
}

}  // namespace mkvfleet::server
