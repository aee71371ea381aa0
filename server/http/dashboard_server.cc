// DashboardServer lifecycle and the helpers every route shares; see dashboard_server.h and
// dashboard_routes.h.
#include "server/http/dashboard_server.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "server/http/dashboard_routes.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::http {

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

void SendJson(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void SendError(httplib::Response& res, const absl::Status& status) {
  SendJson(res, {{"error", std::string(status.message())}}, HttpStatusFor(status));
}

void SendThrottled(const httplib::Request& req, httplib::Response& res,
                   absl::Duration retry_after) {
  const int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(retry_after, absl::Seconds(1))));
  const std::string message = absl::StrCat(
      "too many failed token attempts from this address: try again in ", seconds, " s");
  if (absl::StartsWith(req.path, "/api/")) {
    SendJson(res, {{"error", message}}, 429);
  } else {
    res.status = 429;
    res.set_content(message + "\n", "text/plain; charset=utf-8");
  }
  res.set_header("Retry-After", std::to_string(seconds));
}

std::optional<AuthOutcome> Guard(const httplib::Request& req, httplib::Response& res,
                                 RouteContext& ctx, bool state_changing) {
  const bool bearer_attempt = !ctx.admin_token.empty() && req.has_header("Authorization");
  if (bearer_attempt) {
    if (const absl::Duration wait = ctx.throttle.RetryAfter(req.remote_addr);
        wait > absl::ZeroDuration()) {
      SendThrottled(req, res, wait);
      return std::nullopt;
    }
  }
  RequestFacts facts;
  facts.authorization = req.get_header_value("Authorization");
  facts.cookie = req.get_header_value("Cookie");
  facts.csrf_header = req.get_header_value(kCsrfHeader);
  facts.origin = req.get_header_value("Origin");
  facts.host = req.get_header_value("Host");
  facts.state_changing = state_changing;
  AuthOutcome outcome = Authorize(facts, ctx.admin_token, ctx.sessions);
  if (outcome.via_bearer) ctx.throttle.RecordSuccess(req.remote_addr);
  if (outcome.verdict == AuthVerdict::kAllowed) return outcome;
  if (bearer_attempt && outcome.verdict == AuthVerdict::kUnauthenticated) {
    const int failures = ctx.throttle.RecordFailure(req.remote_addr);
    spdlog::warn("dashboard token attempt failed remote={} failures={} limit={}", req.remote_addr,
                 failures, ctx.throttle.max_failures());
  }

  const int status = outcome.verdict == AuthVerdict::kUnauthenticated ? 401 : 403;
  spdlog::warn("http request refused path={} status={} reason=\"{}\" remote={}", req.path, status,
               outcome.reason, req.remote_addr);
  if (absl::StartsWith(req.path, "/api/")) {
    SendJson(res, {{"error", outcome.reason}}, status);
  } else {
    res.status = status;
    res.set_content(outcome.reason + "\n", "text/plain; charset=utf-8");
  }
  if (status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"mkvfleet\"");
  return std::nullopt;
}

DashboardServer::DashboardServer(DashboardBackend& backend, OpsMetrics& metrics,
                                 DashboardOptions options)
    : backend_(backend),
      metrics_(metrics),
      options_(std::move(options)),
      sessions_(options_.clock),
      throttle_(options_.clock) {}

DashboardServer::~DashboardServer() { Stop(); }

absl::Status DashboardServer::Start() {
  RETURN_IF_ERROR(CheckExposure(options_.listen, !options_.admin_token.empty()));
  server_ = std::make_unique<GuardedServer>(options_.limits);
  const int threads = options_.worker_threads;
  // httplib takes ownership of the raw pointer it asks for.
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "same-origin"},  // "no-referrer" makes browsers send Origin: null
      {"Content-Security-Policy",
       "default-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"},
  });
  // Only the static assets say otherwise (no-cache); every other reply (pages, API, errors) may
  // carry what only an authenticated user should see, so no browser or proxy keeps it.
  server_->set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  });
  server_->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("http handler failed path={} error=\"{}\"", req.path, what);
        SendJson(res, {{"error", "internal error: " + what}}, 500);
      });

  // The context lives as long as the server: handlers hold a reference to it.
  context_ = std::make_unique<RouteContext>(RouteContext{
      backend_, metrics_, sessions_, throttle_, hub_, pace_, options_.clock, options_.admin_token,
      options_.sse_keepalive});
  AddPageRoutes(*server_, *context_);
  AddApiRoutes(*server_, *context_);

  const std::string& host = options_.listen.host;
  if (options_.listen.port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ <= 0) port_ = 0;
  } else if (server_->bind_to_port(host, options_.listen.port)) {
    port_ = options_.listen.port;
  }
  if (port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", options_.listen.port,
                                               " for the dashboard (address in use, or not an "
                                               "address of this machine?)"));
  }
  subscription_ = backend_.Subscribe([this](const v1::Event& event) {
    hub_.Publish(event);
    metrics_.ObserveEvent(event);
    pace_.Observe(event, options_.clock());
  });
  auto listen_returned = std::make_shared<std::atomic<bool>>(false);
  thread_ = std::thread([this, listen_returned] {
    server_->listen_after_bind();
    listen_returned->store(true);
  });
  // httplib's stop() only works once the accept loop runs: wait for it, so a Stop() right after
  // Start() cannot leave the loop blocked in accept forever.
  while (!server_->is_running() && !listen_returned->load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("dashboard listening address={}:{} auth={}", host, port_,
               options_.admin_token.empty() ? "none (loopback only)" : "admin token");
  return absl::OkStatus();
}

void DashboardServer::Stop() {
  subscription_.reset();  // no more events into the hub
  hub_.Close();           // event streams end, freeing their worker threads
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mkvfleet::http
