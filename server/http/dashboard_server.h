// The coordinator's web face on cpp-httplib: the live dashboard (jobs, job detail, agents,
// actions), server-sent events at /events, Prometheus text at /metrics and /healthz.
//
// Against hostile clients (see also http_auth.h): failed token attempts are limited per client
// address (login_throttle.h, 429 with Retry-After), sessions expire (sessions.h), request heads,
// bodies and slow senders are bounded (guarded_server.h), and every reply carries a
// Content-Security-Policy without inline script or style, frame-ancestors 'none', nosniff, and
// "Cache-Control: no-store" on everything but the static assets.
//
// Routes (all but /healthz and the login page need the admin token when one is configured, as a
// Bearer header or through the session cookie the login form sets):
//   GET  /                     dashboard HTML (401 + login form without credentials)
//   GET  /login, POST /login   login form; POST /logout ends the session
//   GET  /assets/NAME          embedded CSS/JS
//   GET  /events               server-sent events: job, agent, log, resync
//   GET  /metrics              Prometheus text format
//   GET  /healthz              200 "ok" when the database is writable, else 503 (no auth)
//   GET  /api/jobs[?state=a,b&q=text&limit=N], /api/jobs/ID, /api/jobs/ID/log[?tail=N], /api/agents
//   POST /api/enqueue {"paths":[..]}, /api/jobs/ID/reset {"from_step":N}, /api/jobs/ID/cancel,
//        /api/agents/NAME/drain {"undrain":bool}     (plus X-CSRF-Token with a cookie session)
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/http/dashboard_backend.h"
#include "server/http/event_hub.h"
#include "server/http/fleet_pace.h"
#include "server/http/guarded_server.h"
#include "server/http/listen_address.h"
#include "server/http/login_throttle.h"
#include "server/http/sessions.h"
#include "server/http/ops_metrics.h"

namespace httplib {
class Server;
}

namespace mkvfleet::http {

struct RouteContext;

struct DashboardOptions {
  ListenAddress listen{"127.0.0.1", 0};
  // MKVFLEET_ADMIN_TOKEN; "" = none configured, then only loopback is served.
  std::string admin_token;
  // HTTP worker threads; each open dashboard page holds one for its event stream.
  int worker_threads = 24;
  // How often an idle event stream sends a comment, so dead connections are noticed.
  absl::Duration sse_keepalive = absl::Seconds(15);
  // Request size and time limits (guarded_server.h).
  HttpLimits limits;
  // The clock of sessions and the login throttle (tests move it).
  std::function<absl::Time()> clock = absl::Now;
};

class DashboardServer {
 public:
  // `backend` and `metrics` must outlive the server.
  DashboardServer(DashboardBackend& backend, OpsMetrics& metrics, DashboardOptions options);
  ~DashboardServer();  // Stop()
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  // Checks the exposure rule (non-loopback needs a token), binds, subscribes to the backend's
  // events and serves on a background thread. FailedPrecondition for the exposure rule,
  // Unavailable when the address cannot be bound. REQUIRES: called once.
  absl::Status Start();
  // The bound port (useful with port 0). 0 before Start().
  int port() const { return port_; }
  // Ends event streams, stops listening and joins the threads. Idempotent.
  void Stop();

 private:
  DashboardBackend& backend_;
  OpsMetrics& metrics_;
  const DashboardOptions options_;
  SessionStore sessions_;
  LoginThrottle throttle_;
  EventHub hub_;
  FleetPace pace_;
  std::unique_ptr<RouteContext> context_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<DashboardSubscription> subscription_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace mkvfleet::http
