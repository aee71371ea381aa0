// Browser sessions of the dashboard: the login form exchanges the admin token for a random session
// id (kept in an HttpOnly, SameSite=Strict cookie, so the token itself never sits in the browser)
// and a per-session CSRF token that the page sends back in a header on every state change.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mkvfleet::http {

// Name of the session cookie.
inline constexpr char kSessionCookie[] = "mkvfleet_session";
// Header carrying the session's CSRF token on state-changing requests.
inline constexpr char kCsrfHeader[] = "X-CSRF-Token";
// How long a session lasts after login.
inline constexpr absl::Duration kSessionLifetime = absl::Hours(12);
// Sessions kept at most; the oldest is forgotten first (bounds memory against login floods).
inline constexpr size_t kMaxSessions = 256;

struct Session {
  std::string id;    // cookie value
  std::string csrf;  // echoed by the page in X-CSRF-Token
  absl::Time expires;
};

// 32 random bytes from the kernel (getrandom), hex-encoded. Aborts only if the kernel cannot
// provide randomness at all.
std::string RandomToken();

// Thread-safe store of live sessions.
class SessionStore {
 public:
  using Clock = std::function<absl::Time()>;
  using TokenSource = std::function<std::string()>;
  explicit SessionStore(Clock clock = absl::Now, TokenSource tokens = RandomToken,
                        absl::Duration lifetime = kSessionLifetime);

  // A new session; evicts the oldest when kMaxSessions are live.
  Session Create();
  // The live session with this id; nullopt for unknown or expired ids (expired ones are dropped).
  std::optional<Session> Find(absl::string_view id);
  // Ends a session (logout). Unknown ids are ignored.
  void Remove(absl::string_view id);

 private:
  const Clock clock_;
  const TokenSource tokens_;
  const absl::Duration lifetime_;
  absl::Mutex mu_;
  std::map<std::string, Session, std::less<>> sessions_ ABSL_GUARDED_BY(mu_);
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"); "" when absent.
std::string CookieValue(absl::string_view cookie_header, absl::string_view name);

// Set-Cookie value for a session: HttpOnly, SameSite=Strict, Path=/, Max-Age = lifetime.
std::string SessionCookie(absl::string_view session_id, absl::Duration lifetime = kSessionLifetime);
// Set-Cookie value that deletes the session cookie.
std::string ExpiredSessionCookie();

}  // namespace mkvfleet::http
