// The real wall clock.
#include "server/clock.h"

#include "absl/time/clock.h"

namespace mkvfleet::server {

int64_t SystemClock::NowMs() const { return absl::ToUnixMillis(absl::Now()); }

}  // namespace mkvfleet::server
