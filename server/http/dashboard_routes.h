// Internal to server/http: what the route handlers share (the context, the auth guard, JSON and
// status replies). The routes themselves are split by audience: page_routes.cc (browser pages,
// events, metrics, health) and api_routes.cc (the JSON API and the actions).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "server/http/dashboard_backend.h"
#include "server/http/event_hub.h"
#include "server/http/fleet_pace.h"
#include "server/http/http_auth.h"
#include "server/http/login_throttle.h"
#include "server/http/sessions.h"
#include "server/http/ops_metrics.h"

namespace mkvfleet::http {

struct RouteContext {
  DashboardBackend& backend;
  OpsMetrics& metrics;
  SessionStore& sessions;
  LoginThrottle& throttle;
  EventHub& hub;
  FleetPace& pace;
  std::function<absl::Time()> clock;
  std::string admin_token;
  absl::Duration sse_keepalive;
};

// Runs the auth decision for `req`. On refusal writes the 401/403 reply (JSON for /api, text
// otherwise) and returns nullopt; on success returns the outcome. A wrong Bearer token counts as
// a failed attempt of the client (ctx.throttle); a client over its limit gets 429 for any Bearer
// request, without its token being checked.
std::optional<AuthOutcome> Guard(const httplib::Request& req, httplib::Response& res,
                                 RouteContext& ctx, bool state_changing);

// The HTTP status for an admin API error (NotFound 404, InvalidArgument 400, FailedPrecondition
// and AlreadyExists 409, PermissionDenied 403, Unauthenticated 401, Unavailable 503, else 500).
int HttpStatusFor(const absl::Status& status);

void SendJson(httplib::Response& res, const nlohmann::json& body, int status = 200);
// 429 with Retry-After (whole seconds, at least 1) for a client over its failed-attempt limit.
void SendThrottled(const httplib::Request& req, httplib::Response& res, absl::Duration retry_after);
// {"error": message} with HttpStatusFor(status).
void SendError(httplib::Response& res, const absl::Status& status);

void AddPageRoutes(httplib::Server& server, RouteContext& ctx);
void AddApiRoutes(httplib::Server& server, RouteContext& ctx);

}  // namespace mkvfleet::http
