// The dashboard's per-request authorization decision; see http_auth.h.
#include "server/http/http_auth.h"

#include "absl/strings/str_cat.h"
#include "common/auth/token.h"
#include "server/http/listen_address.h"

namespace mkvfleet::http {

bool IsAdminToken(absl::string_view token, absl::string_view admin_token) {
  return !admin_token.empty() && !token.empty() && auth::ConstantTimeEquals(token, admin_token);
}

AuthOutcome Authorize(const RequestFacts& facts, absl::string_view admin_token,
                      SessionStore& sessions) {
  AuthOutcome out;
  out.session = sessions.Find(CookieValue(facts.cookie, kSessionCookie));

  if (admin_token.empty()) {
    if (!IsLoopbackHostHeader(facts.host)) {
      out.verdict = AuthVerdict::kForbidden;
      out.reason = "no admin token configured: only loopback host names are served";
      return out;
    }
  } else {
    const std::optional<absl::string_view> bearer = auth::ParseBearer(facts.authorization);
    if (bearer.has_value() && IsAdminToken(*bearer, admin_token)) {
      out.via_bearer = true;
      out.verdict = AuthVerdict::kAllowed;
      return out;
    }
    if (!out.session.has_value()) {
      out.verdict = AuthVerdict::kUnauthenticated;
      out.reason = bearer.has_value() ? "wrong admin token" : "log in or send the admin token";
      return out;
    }
  }

  if (facts.state_changing) {
    if (!facts.origin.empty() && facts.origin != absl::StrCat("http://", facts.host) &&
        facts.origin != absl::StrCat("https://", facts.host)) {
      out.verdict = AuthVerdict::kForbidden;
      out.reason = "cross-origin request refused";
      return out;
    }
    if (!out.session.has_value() || facts.csrf_header.empty() ||
        !auth::ConstantTimeEquals(facts.csrf_header, out.session->csrf)) {
      out.verdict = AuthVerdict::kForbidden;
      out.reason = "missing or wrong CSRF token: reload the page";
      return out;
    }
  }
  out.verdict = AuthVerdict::kAllowed;
  return out;
}

}  // namespace mkvfleet::http
