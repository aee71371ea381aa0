// Per-client counting of failed admin-token attempts; see login_throttle.h.
#include "server/http/login_throttle.h"

namespace mkvfleet::http {

LoginThrottle::LoginThrottle(Clock clock, int max_failures, absl::Duration window)
    : clock_(std::move(clock)), max_failures_(max_failures), window_(window) {}

absl::Duration LoginThrottle::RetryAfter(absl::string_view client) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return absl::ZeroDuration();
  const absl::Time end = it->second.first + window_;
  if (end <= now) {
    clients_.erase(it);
    return absl::ZeroDuration();
  }
  return it->second.count >= max_failures_ ? end - now : absl::ZeroDuration();
}

int LoginThrottle::RecordFailure(absl::string_view client) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  auto it = clients_.find(client);
  if (it != clients_.end() && it->second.first + window_ <= now) {
    clients_.erase(it);
    it = clients_.end();
  }
  if (it == clients_.end()) {
    while (clients_.size() >= kMaxThrottledClients) {
      auto oldest = clients_.begin();
      for (auto c = clients_.begin(); c != clients_.end(); ++c) {
        if (c->second.first < oldest->second.first) oldest = c;
      }
      clients_.erase(oldest);
    }
    it = clients_.emplace(std::string(client), Failures{now, 0}).first;
  }
  return ++it->second.count;
}

void LoginThrottle::RecordSuccess(absl::string_view client) {
  absl::MutexLock lock(&mu_);
  auto it = clients_.find(client);
  if (it != clients_.end()) clients_.erase(it);
}

}  // namespace mkvfleet::http
