// Retry backoff: exponential, capped, equal-jittered.
#include "server/jobs/retry_backoff.h"

#include <algorithm>

namespace mkvfleet::server {

absl::Duration RetryBackoff(int failures, absl::Duration base, absl::Duration cap, double jitter) {
  failures = std::max(failures, 1);
  jitter = std::clamp(jitter, 0.0, 1.0);
  absl::Duration full = base;
  for (int i = 1; i < failures && full < cap; ++i) full *= 2;
  full = std::min(full, cap);
  return full / 2 + (full / 2) * jitter;
}

}  // namespace mkvfleet::server
