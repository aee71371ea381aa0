// Browser-facing routes: the dashboard page and its assets, login/logout, the event stream, and
// the operator endpoints /metrics and /healthz. See dashboard_server.h for the route list.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "server/http/assets.h"
#include "server/http/dashboard_routes.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::http {
namespace {

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

std::string AssetText(absl::string_view name) {
  const Asset* a = FindAsset(name);
  return a == nullptr ? std::string() : std::string(a->body);
}

void SendLoginPage(httplib::Response& res, int status, absl::string_view error) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(absl::StrReplaceAll(AssetText("login.html"), {{"{{ERROR}}", HtmlEscape(error)}}),
                  "text/html; charset=utf-8");
}

// The dashboard page with this session's CSRF token in a <meta> tag for app.js.
void SendDashboard(httplib::Response& res, absl::string_view csrf) {
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_content(absl::StrReplaceAll(AssetText("index.html"), {{"{{CSRF}}", HtmlEscape(csrf)}}),
                  "text/html; charset=utf-8");
}

// GET /: the dashboard, or the login form for a browser without credentials.
void ServeDashboardPage(const httplib::Request& req, httplib::Response& res, RouteContext& ctx) {
  const bool token_configured = !ctx.admin_token.empty();
  if (token_configured && CookieValue(req.get_header_value("Cookie"), kSessionCookie).empty() &&
      req.get_header_value("Authorization").empty()) {
    SendLoginPage(res, 401, "");  // a browser's first visit: no credentials at all
    return;
  }
  std::optional<AuthOutcome> auth = Guard(req, res, ctx, /*state_changing=*/false);
  if (!auth.has_value()) {
    if (res.status == 401) SendLoginPage(res, 401, "Your session ended; log in again.");
    return;
  }
  if (auth->session.has_value()) {
    SendDashboard(res, auth->session->csrf);
  } else if (!token_configured) {
    // Open (loopback-only) mode: a session exists only to carry the CSRF token.
    const Session s = ctx.sessions.Create();
    res.set_header("Set-Cookie", SessionCookie(s.id));
    SendDashboard(res, s.csrf);
  } else {
    SendDashboard(res, "");  // Bearer clients (scripts) read, they post with the Bearer header
  }
}

// GET /login: the login form; without a token there is nothing to log in to.
void ServeLoginForm(const httplib::Request&, httplib::Response& res, RouteContext& ctx) {
  if (ctx.admin_token.empty()) {
    res.set_redirect("/", 303);
    return;
  }
  SendLoginPage(res, 200, "");
}

// POST /login: checks the token from the form and starts a cookie session.
void LogIn(const httplib::Request& req, httplib::Response& res, RouteContext& ctx) {
  const std::string origin = req.get_header_value("Origin");
  const std::string host = req.get_header_value("Host");
  if (!origin.empty() && origin != "http://" + host && origin != "https://" + host) {
    SendLoginPage(res, 403, "Cross-origin login refused.");
    return;
  }
  if (ctx.admin_token.empty()) {
    res.set_redirect("/", 303);
    return;
  }
  if (const absl::Duration wait = ctx.throttle.RetryAfter(req.remote_addr);
      wait > absl::ZeroDuration()) {
    // Refused without looking at the token, so guessing gains nothing while locked out.
    SendThrottled(req, res, wait);  // status, Retry-After and the message, shown in the form:
    const std::string message = res.body;
    SendLoginPage(res, 429, message);
    return;
  }
  if (!IsAdminToken(req.get_param_value("token"), ctx.admin_token)) {
    const int failures = ctx.throttle.RecordFailure(req.remote_addr);
    spdlog::warn("dashboard login failed remote={} failures={} limit={}", req.remote_addr,
                 failures, ctx.throttle.max_failures());
    SendLoginPage(res, 401, "Wrong admin token.");
    return;
  }
  ctx.throttle.RecordSuccess(req.remote_addr);
  const Session s = ctx.sessions.Create();
  spdlog::info("dashboard login remote={}", req.remote_addr);
  res.set_header("Set-Cookie", SessionCookie(s.id));
  res.set_redirect("/", 303);
}

// POST /logout: ends the cookie session.
void LogOut(const httplib::Request& req, httplib::Response& res, RouteContext& ctx) {
  if (!Guard(req, res, ctx, /*state_changing=*/true)) return;
  ctx.sessions.Remove(CookieValue(req.get_header_value("Cookie"), kSessionCookie));
  res.set_header("Set-Cookie", ExpiredSessionCookie());
  SendJson(res, {{"ok", true}});
}

// GET /assets/NAME: CSS and JS are not secret (the login page needs its stylesheet before any
// login), so no auth; the HTML pages are served only through their routes.
void ServeAsset(const httplib::Request& req, httplib::Response& res) {
  const Asset* a = FindAsset(req.matches[1].str());
  if (a == nullptr || absl::EndsWith(a->name, ".html")) {
    res.status = 404;
    res.set_content("no such asset\n", "text/plain; charset=utf-8");
    return;
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_content(std::string(a->body), std::string(a->content_type));
}

// GET /healthz: "ok", or 503 with what is wrong. No auth.
void ServeHealth(const httplib::Request&, httplib::Response& res, RouteContext& ctx) {
  const absl::Status health = ctx.backend.CheckHealth();
  res.set_header("Cache-Control", "no-store");
  if (health.ok()) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
    return;
  }
  res.status = 503;
  res.set_content(std::string(health.message()) + "\n", "text/plain; charset=utf-8");
}

// GET /metrics: the Prometheus text, refreshed from the backend first.
void ServeMetrics(const httplib::Request& req, httplib::Response& res, RouteContext& ctx) {
  if (!Guard(req, res, ctx, /*state_changing=*/false)) return;
  if (absl::Status s = ctx.metrics.Refresh(ctx.backend); !s.ok()) {
    // Serve the last known values rather than nothing; the scrape still shows counters.
    spdlog::warn("metrics refresh failed error=\"{}\"", std::string(s.message()));
  }
  res.set_header("Cache-Control", "no-store");
  res.set_content(ctx.metrics.registry().Render(), "text/plain; version=0.0.4; charset=utf-8");
}

// GET /events: server-sent events from the hub until the client leaves or the server stops.
void ServeEvents(const httplib::Request& req, httplib::Response& res, RouteContext& ctx) {
  const std::optional<AuthOutcome> auth = Guard(req, res, ctx, /*state_changing=*/false);
  if (!auth.has_value()) return;
  std::shared_ptr<EventHub::Listener> listener = ctx.hub.Connect();
  if (listener == nullptr) {
    SendError(res, absl::UnavailableError("shutting down"));
    return;
  }
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Accel-Buffering", "no");
  const absl::Duration keepalive = ctx.sse_keepalive;
  EventHub* hub = &ctx.hub;
  // A stream opened with a session lives as long as the session: logout or expiry ends it.
  SessionStore* sessions = &ctx.sessions;
  const std::string session_id = auth->session.has_value() ? auth->session->id : "";
  res.set_chunked_content_provider(
      "text/event-stream",
      [listener, keepalive, sessions, session_id, first = true](
          size_t, httplib::DataSink& sink) mutable {
        if (!session_id.empty() && !sessions->Find(session_id).has_value()) {
          sink.done();
          return true;
        }
        std::string chunk;
        if (first) {
          first = false;
          chunk =
              "retry: 3000\n\n" +
              FormatSse("hello",
                        nlohmann::json{{"server_time_ms", absl::ToUnixMillis(absl::Now())}}.dump());
        } else {
          std::optional<std::string> next = listener->Next(keepalive);
          if (!next.has_value()) {
            sink.done();  // the hub closed: the server is stopping
            return true;
          }
          chunk = next->empty() ? ": keepalive\n\n" : *next;
        }
        return sink.write(chunk.data(), chunk.size());
      },
      [hub, listener](bool) { hub->Disconnect(listener); });
}

using PageHandler = void (*)(const httplib::Request&, httplib::Response&, RouteContext&);

// `handler` as an httplib handler that sees the shared context.
httplib::Server::Handler WithContext(RouteContext& ctx, PageHandler handler) {
  return [&ctx, handler](const httplib::Request& req, httplib::Response& res) {
    handler(req, res, ctx);
  };
}

}  // namespace

void AddPageRoutes(httplib::Server& server, RouteContext& ctx) {
  server.Get("/", WithContext(ctx, ServeDashboardPage));
  server.Get("/login", WithContext(ctx, ServeLoginForm));
  server.Post("/login", WithContext(ctx, LogIn));
  server.Post("/logout", WithContext(ctx, LogOut));
  server.Get("/assets/([a-z0-9_.-]+)", ServeAsset);
  server.Get("/healthz", WithContext(ctx, ServeHealth));
  server.Get("/metrics", WithContext(ctx, ServeMetrics));
  server.Get("/events", WithContext(ctx, ServeEvents));
}

}  // namespace mkvfleet::http
