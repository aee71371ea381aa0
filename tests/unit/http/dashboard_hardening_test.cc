// The dashboard as an attacker sees it, over real HTTP on 127.0.0.1: token guessing is limited per
// client and logged, sessions expire (and take their event streams with them), every reply carries
// the security headers, and request bodies, request heads and slow senders are bounded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "server/http/dashboard_server.h"
#include "server/http/login_throttle.h"
#include "spdlog/sinks/ringbuffer_sink.h"
#include "spdlog/spdlog.h"
#include "tests/unit/http/fake_backend.h"

namespace mkvfleet::http {
namespace {

using mkvfleet::testing::FakeBackend;

constexpr char kToken[] = "hardening-admin-token-0123456789";
constexpr char kForm[] = "application/x-www-form-urlencoded";

// A dashboard over the fake backend with a clock the test moves.
struct Dashboard {
  explicit Dashboard(HttpLimits limits = {}) : metrics(registry) {
    v1::Job j;
    j.set_id(1);
    j.set_path("/library/a.mkv");
    j.set_state(v1::JOB_STATE_PENDING);
    backend.PutJob(j);
    DashboardOptions options;
    options.admin_token = kToken;
    options.sse_keepalive = absl::Milliseconds(100);
    options.limits = limits;
    options.clock = [this] { return absl::FromUnixSeconds(now_s.load()); };
    server = std::make_unique<DashboardServer>(backend, metrics, options);
    REQUIRE(server->Start().ok());
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(30, 0);
    return c;
  }
  // Logs in; returns the Cookie header of the new session.
  httplib::Headers LogIn() {
    auto c = Client();
    auto ok = c.Post("/login", std::string("token=") + kToken, kForm);
    REQUIRE(ok);
    REQUIRE(ok->status == 303);
    const std::string set_cookie = ok->get_header_value("Set-Cookie");
    return {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}};
  }

  std::atomic<int64_t> now_s{1'700'000'000};
  FakeBackend backend;
  metrics::Registry registry;
  OpsMetrics metrics;
  std::unique_ptr<DashboardServer> server;
};

// Captures what spdlog logs while it lives.
struct LogCapture {
  LogCapture() : sink(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)) {
    previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous); }
  bool Contains(const std::string& text) const {
    for (const std::string& line : sink->last_formatted()) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink;
  std::shared_ptr<spdlog::logger> previous;
};

// A raw TCP connection to the dashboard, for what httplib's client will not send.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  }
  ~RawConnection() { ::close(fd_); }
  // False once the peer no longer takes data.
  bool Send(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads what arrives within `wait`; sets closed() at end of stream.
  std::string ReadFor(int wait_ms) {
    std::string out;
    pollfd p{fd_, POLLIN, 0};
    while (!closed_ && ::poll(&p, 1, wait_ms) > 0) {
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
      wait_ms = 0;  // drain what is there, then return
    }
    return out;
  }
  // Everything until the peer closes, for up to `max_ms`.
  std::string ReadUntilClosed(int max_ms) {
    std::string out;
    for (int waited = 0; !closed_ && waited < max_ms; waited += 100) out += ReadFor(100);
    return out;
  }
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool closed_ = false;
};

TEST_CASE("login throttle: counts per client, locks out, forgets after the window") {
  absl::Time now = absl::FromUnixSeconds(1000);
  LoginThrottle throttle([&] { return now; }, 3, absl::Minutes(5));
  CHECK(throttle.RetryAfter("10.0.0.1") == absl::ZeroDuration());
  CHECK(throttle.RecordFailure("10.0.0.1") == 1);
  CHECK(throttle.RecordFailure("10.0.0.1") == 2);
  CHECK(throttle.RetryAfter("10.0.0.1") == absl::ZeroDuration());
  CHECK(throttle.RecordFailure("10.0.0.1") == 3);
  now += absl::Minutes(1);
  CHECK(throttle.RetryAfter("10.0.0.1") == absl::Minutes(4));
  CHECK(throttle.RetryAfter("10.0.0.2") == absl::ZeroDuration());  // another client is not affected
  now += absl::Minutes(4);
  CHECK(throttle.RetryAfter("10.0.0.1") == absl::ZeroDuration());
  CHECK(throttle.RecordFailure("10.0.0.1") == 1);  // a new window
  throttle.RecordSuccess("10.0.0.1");
  CHECK(throttle.RecordFailure("10.0.0.1") == 1);
}

TEST_CASE("failed logins are limited per client and logged; the right token waits too") {
  Dashboard d;
  LogCapture log;
  auto c = d.Client();
  for (int i = 1; i <= kMaxLoginFailures; ++i) {
    auto wrong = c.Post("/login", "token=guess" + std::to_string(i), kForm);
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
  }
  CHECK(log.Contains(
      absl::StrCat("dashboard login failed remote=127.0.0.1 failures=", kMaxLoginFailures)));
  // Locked out: even the right token is not looked at, by form or by Bearer header.
  auto locked = c.Post("/login", std::string("token=") + kToken, kForm);
  REQUIRE(locked);
  CHECK(locked->status == 429);
  CHECK(locked->get_header_value("Set-Cookie").empty());
  CHECK(std::stoi(locked->get_header_value("Retry-After")) ==
        absl::ToInt64Seconds(kLoginFailureWindow));
  CHECK(locked->body.find("try again in") != std::string::npos);
  CHECK(c.Get("/api/jobs", {{"Authorization", std::string("Bearer ") + kToken}})->status == 429);
  CHECK(d.backend.actions().empty());

  d.now_s += absl::ToInt64Seconds(kLoginFailureWindow);
  CHECK(c.Post("/login", std::string("token=") + kToken, kForm)->status == 303);
}

TEST_CASE("wrong Bearer tokens count as failed attempts too") {
  Dashboard d;
  auto c = d.Client();
  for (int i = 0; i < kMaxLoginFailures; ++i) {
    CHECK(c.Get("/api/jobs", {{"Authorization", "Bearer guess"}})->status == 401);
  }
  auto locked = c.Get("/api/jobs", {{"Authorization", std::string("Bearer ") + kToken}});
  REQUIRE(locked);
  CHECK(locked->status == 429);
  CHECK(!locked->get_header_value("Retry-After").empty());
}

TEST_CASE("sessions expire: the cookie stops working and the page asks to log in again") {
  Dashboard d;
  const httplib::Headers cookie = d.LogIn();
  auto c = d.Client();
  CHECK(c.Get("/api/jobs", cookie)->status == 200);
  d.now_s += absl::ToInt64Seconds(kSessionLifetime) - 1;
  CHECK(c.Get("/api/jobs", cookie)->status == 200);
  d.now_s += 2;
  CHECK(c.Get("/api/jobs", cookie)->status == 401);
  auto page = c.Get("/", cookie);
  REQUIRE(page);
  CHECK(page->status == 401);
  CHECK(page->body.find("Your session ended") != std::string::npos);
}

TEST_CASE("an event stream ends with its session") {
  Dashboard d;
  const httplib::Headers cookie = d.LogIn();
  RawConnection stream(d.server->port());
  REQUIRE(stream.Send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + cookie.begin()->first + ": " +
                      cookie.begin()->second + "\r\n\r\n"));
  std::string got;
  for (int i = 0; i < 300 && got.find("event: hello") == std::string::npos; ++i) {
    got += stream.ReadFor(100);
  }
  REQUIRE(got.find("200 OK") != std::string::npos);
  d.now_s += absl::ToInt64Seconds(kSessionLifetime) + 1;  // expired: the next keepalive ends it
  stream.ReadUntilClosed(30000);
  CHECK(stream.closed());
}

TEST_CASE("every reply carries the security headers; only assets may be cached") {
  Dashboard d;
  auto c = d.Client();
  const httplib::Headers bearer = {{"Authorization", std::string("Bearer ") + kToken}};
  const struct {
    const char* path;
    bool auth;
  } requests[] = {{"/", true},
                  {"/", false},
                  {"/login", false},
                  {"/api/jobs", true},
                  {"/api/jobs", false},
                  {"/api/jobs/1", true},
                  {"/api/jobs/1/log", true},
                  {"/api/agents", true},
                  {"/metrics", true},
                  {"/metrics", false},
                  {"/healthz", false},
                  {"/nope", true},
                  {"/assets/app.js", false},
                  {"/assets/app.css", false}};
  for (const auto& r : requests) {
    INFO(r.path << (r.auth ? " with token" : " without"));
    auto res = r.auth ? c.Get(r.path, bearer) : c.Get(r.path);
    REQUIRE(res);
    const std::string csp = res->get_header_value("Content-Security-Policy");
    CHECK(csp.find("script-src 'self'") != std::string::npos);
    CHECK(csp.find("style-src 'self'") != std::string::npos);
    CHECK(csp.find("unsafe-inline") == std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(res->get_header_value("X-Frame-Options") == "DENY");
    const bool asset = std::string(r.path).rfind("/assets/", 0) == 0;
    CHECK(res->get_header_value("Cache-Control") == (asset ? "no-cache" : "no-store"));
  }
}

TEST_CASE("a request body past the limit is refused before any handler sees it") {
  Dashboard d;
  auto c = d.Client();
  const httplib::Headers bearer = {{"Authorization", std::string("Bearer ") + kToken}};
  std::string paths;
  while (paths.size() <= kMaxRequestBodyBytes) paths += "\"/library/some/long/path.mkv\",";
  const std::string body = "{\"paths\":[" + paths + "\"/library/last.mkv\"]}";
  auto big = c.Post("/api/enqueue", bearer, body, "application/json");
  REQUIRE(big);
  CHECK(big->status == 413);
  CHECK(d.backend.actions().empty());
  // A normal-sized action still works.
  CHECK(c.Post("/api/enqueue", bearer, R"({"paths":["/library/a.mkv"]})", "application/json")
            ->status == 200);
}

TEST_CASE("a chunked request body past the limit is refused too") {
  Dashboard d;
  RawConnection conn(d.server->port());
  std::string request = absl::StrCat(
      "POST /api/enqueue HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ", kToken,
      "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  auto chunk = [](const std::string& data) {
    return absl::StrCat(absl::Hex(data.size()), "\r\n", data, "\r\n");
  };
  request += chunk("{\"paths\":[");
  const std::string block = chunk(std::string(16 * 1024 - 20, ' '));  // JSON whitespace
  while (request.size() <= kMaxRequestBodyBytes + kMaxRequestBodyBytes / 2) request += block;
  request += chunk("\"/library/a.mkv\"]}") + "0\r\n\r\n";
  conn.Send(request);  // may be cut short once the server has seen enough
  conn.ShutdownWrite();
  const std::string reply = conn.ReadUntilClosed(30000);
  CHECK(reply.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(d.backend.actions().empty());
}

TEST_CASE("request headers past the limit get 431 and the connection is closed") {
  Dashboard d;
  RawConnection conn(d.server->port());
  std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; request.size() <= 2 * kMaxRequestHeadBytes; ++i) {
    request += "X-Pad-" + std::to_string(i) + ": " + std::string(1000, 'x') + "\r\n";
  }
  request += "\r\n";
  conn.Send(request);  // may be cut short once the server has seen enough
  conn.ShutdownWrite();
  const std::string reply = conn.ReadUntilClosed(30000);
  CHECK(reply.rfind("HTTP/1.1 431", 0) == 0);
  CHECK(conn.closed());
  // The server still answers others.
  CHECK(d.Client().Get("/healthz")->status == 200);
}

TEST_CASE("a client that sends its request too slowly gets 408 and is disconnected") {
  HttpLimits limits;
  limits.request_timeout = absl::Seconds(1);  // a header line every 200 ms never finishes in time
  Dashboard d(limits);
  RawConnection conn(d.server->port());
  REQUIRE(conn.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  std::string reply;
  // Generous: each read of the server waits far less than its per-read timeout (10 s), so only
  // the whole-request deadline can end this; give up (and fail) after 30 s.
  for (int i = 0; i < 150 && reply.empty(); ++i) {
    if (!conn.Send("X-Slow-" + std::to_string(i) + ": a\r\n")) break;
    reply = conn.ReadFor(200);
  }
  conn.ShutdownWrite();
  reply += conn.ReadUntilClosed(30000);
  CHECK(reply.rfind("HTTP/1.1 408", 0) == 0);
  CHECK(conn.closed());
  CHECK(d.Client().Get("/healthz")->status == 200);
}

}  // namespace
}  // namespace mkvfleet::http
