// Who may do what on the dashboard, as one pure decision per request:
//  - With an admin token configured: "Authorization: Bearer <token>" or a live session cookie.
//    Without either: 401.
//  - Without a token (loopback-only mode, as the gRPC API): open, but the Host header must name
//    loopback, so a web page cannot reach the dashboard through DNS rebinding.
//  - State-changing requests authenticated by cookie (or open mode) also need the session's CSRF
//    token in X-CSRF-Token and, when the browser sends Origin, an Origin equal to this host.
//    Bearer requests need neither: browsers never attach that header across sites on their own.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "server/http/sessions.h"

namespace mkvfleet::http {

// The request facts the decision needs (headers as received; "" when absent).
struct RequestFacts {
  std::string authorization;
  std::string cookie;
  std::string csrf_header;
  std::string origin;
  std::string host;
  bool state_changing = false;  // POST and friends
};

enum class AuthVerdict {
  kAllowed,
  kUnauthenticated,  // 401: no or wrong credentials
  kForbidden,        // 403: credentials fine, but CSRF / Origin / Host check failed
};

struct AuthOutcome {
  AuthVerdict verdict = AuthVerdict::kUnauthenticated;
  std::string reason;              // for the response body and the log (never a secret)
  std::optional<Session> session;  // the cookie's live session, if any
  bool via_bearer = false;
};

// Decides for one request. `admin_token` empty = no token configured. Thread-safe (the store is).
AuthOutcome Authorize(const RequestFacts& facts, absl::string_view admin_token,
                      SessionStore& sessions);

// Whether `token` is the admin token (constant time). False when no token is configured.
bool IsAdminToken(absl::string_view token, absl::string_view admin_token);

}  // namespace mkvfleet::http
