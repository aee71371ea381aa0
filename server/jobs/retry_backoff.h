// Capped, jittered exponential backoff for retrying failed jobs. Pure; the randomness is passed in.
#pragma once

#include "absl/time/time.h"

namespace mkvfleet::server {

// Delay before retry number `failures` (1 = after the first failure):
//   full = min(cap, base * 2^(failures-1));  delay = full/2 + full/2 * jitter
// so the delay lies in [full/2, full] and never exceeds `cap`.
// REQUIRES: failures >= 1 (smaller values are treated as 1), 0 <= jitter <= 1, base, cap >= 0.
absl::Duration RetryBackoff(int failures, absl::Duration base, absl::Duration cap, double jitter);

}  // namespace mkvfleet::server
