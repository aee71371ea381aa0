// Limits guessing the admin token on the dashboard: failed attempts (the login form, or a wrong
// "Authorization: Bearer" header) are counted per client address, and a client with
// max_failures of them within `window` is refused (HTTP 429 with Retry-After) without its
// attempt being checked, until `window` has passed since its first counted failure. A success
// clears the client's count. Clients behind one proxy share an address, and so a count.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace mkvfleet::http {

// Failed attempts a client may make within kLoginFailureWindow.
inline constexpr int kMaxLoginFailures = 5;
inline constexpr absl::Duration kLoginFailureWindow = absl::Minutes(5);
// Clients tracked at most (bounds memory against address floods); the oldest is forgotten first.
inline constexpr size_t kMaxThrottledClients = 4096;

// Thread-safe.
class LoginThrottle {
 public:
  using Clock = std::function<absl::Time()>;
  explicit LoginThrottle(Clock clock = absl::Now, int max_failures = kMaxLoginFailures,
                         absl::Duration window = kLoginFailureWindow);

  // Zero when `client` may try now; otherwise how long until it may.
  absl::Duration RetryAfter(absl::string_view client);
  // Counts a failed attempt. Returns the client's failures in the current window.
  int RecordFailure(absl::string_view client);
  // Forgets the client's failures (it proved it knows the token).
  void RecordSuccess(absl::string_view client);
  int max_failures() const { return max_failures_; }

 private:
  struct Failures {
    absl::Time first;  // start of the window
    int count = 0;
  };

  const Clock clock_;
  const int max_failures_;
  const absl::Duration window_;
  absl::Mutex mu_;
  std::map<std::string, Failures, std::less<>> clients_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mkvfleet::http
