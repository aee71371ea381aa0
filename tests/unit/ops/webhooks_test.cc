// Webhooks and media-server refreshes against a local cpp-httplib server on 127.0.0.1: payloads,
// headers, retries after 5xx, giving up on 4xx, one notification per (job, state, attempt).
#include "server/ops/webhooks.h"

#include <catch2/catch.hpp>

#include "nlohmann/json.hpp"
#include "tests/unit/ops/webhook_receiver.h"

namespace mkvfleet::ops {
namespace {


WebhookOptions FastOptions() {
  WebhookOptions o;
  o.initial_backoff = absl::Milliseconds(5);
  o.max_backoff = absl::Milliseconds(20);
  o.max_attempts = 4;
  return o;
}

v1::Event JobEvent(int64_t id, v1::JobState state, const std::string& output = "") {
  v1::Event e;
  e.set_kind(v1::EVENT_KIND_JOB_CHANGED);
  e.set_time_ms(1700000000000);
  e.mutable_job()->set_id(id);
  e.mutable_job()->set_path("/library/m" + std::to_string(id) + ".mkv");
  e.mutable_job()->set_state(state);
  e.mutable_job()->set_attempts(1);
  e.mutable_job()->set_output(output);
  return e;
}

TEST_CASE("retry delays double from the initial value, are capped and jittered") {
  const auto i = absl::Seconds(2), max = absl::Seconds(60);
  CHECK(RetryDelay(2, i, max, 1.0) == absl::Seconds(2));
  CHECK(RetryDelay(3, i, max, 1.0) == absl::Seconds(4));
  CHECK(RetryDelay(5, i, max, 1.0) == absl::Seconds(16));
  CHECK(RetryDelay(30, i, max, 1.0) == absl::Seconds(60));
  CHECK(RetryDelay(3, i, max, 0.5) == absl::Seconds(2));
  CHECK(RetryDelay(3, i, max, 0.1) == absl::Seconds(2));  // jitter clamped to [0.5, 1]
}

TEST_CASE("URLs split into origin and path") {
  std::string origin, path;
  REQUIRE(SplitUrl("http://h:8096/a/b?x=1", &origin, &path).ok());
  CHECK(origin == "http://h:8096");
  CHECK(path == "/a/b?x=1");
  REQUIRE(SplitUrl("https://h", &origin, &path).ok());
  CHECK(origin == "https://h");
  CHECK(path == "/");
  CHECK_FALSE(SplitUrl("ftp://h/x", &origin, &path).ok());
  CHECK_FALSE(SplitUrl("http:///x", &origin, &path).ok());
}

TEST_CASE("only completed, failed and failed_permanent notify, each once") {
  CHECK(WebhookEventName(v1::JOB_STATE_COMPLETED) == "job.completed");
  CHECK(WebhookEventName(v1::JOB_STATE_FAILED_PERMANENT) == "job.failed_permanent");
  CHECK(WebhookEventName(v1::JOB_STATE_RUNNING) == "");

  Receiver r;
  WebhookOptions o = FastOptions();
  o.urls = {r.url("/hook")};
  WebhookNotifier n(o);
  n.OnEvent(JobEvent(1, v1::JOB_STATE_RUNNING));
  n.OnEvent(JobEvent(1, v1::JOB_STATE_FAILED));
  n.OnEvent(JobEvent(1, v1::JOB_STATE_FAILED));  // the same failure again: no second POST
  n.OnEvent(JobEvent(2, v1::JOB_STATE_FAILED_PERMANENT));
  REQUIRE(n.WaitIdle(absl::Seconds(30)));
  const auto hits = r.hits();
  REQUIRE(hits.size() == 2);
  std::set<std::string> events;
  for (const auto& h : hits) {
    CHECK(h.method == "POST");
    const auto body = nlohmann::json::parse(h.body);
    events.insert(body["event"].get<std::string>());
    CHECK(body["job"]["path"].get<std::string>().rfind("/library/m", 0) == 0);
    CHECK_FALSE(body["job"].contains("steps"));
  }
  CHECK(events == std::set<std::string>{"job.failed", "job.failed_permanent"});
  CHECK(n.stats().delivered == 2);
}

TEST_CASE("a webhook answering 503 is retried until it accepts") {
  Receiver r(/*fail_first=*/2);
  WebhookOptions o = FastOptions();
  o.urls = {r.url("/hook")};
  WebhookNotifier n(o);
  n.OnEvent(JobEvent(5, v1::JOB_STATE_COMPLETED, "/out/m5.mkv"));
  REQUIRE(n.WaitIdle(absl::Seconds(30)));
  CHECK(r.hits().size() == 3);
  CHECK(n.stats().retried == 2);
  CHECK(n.stats().delivered == 1);
}

TEST_CASE("a 4xx answer or an unreachable host ends in a drop, never a hang") {
  Receiver r(/*fail_first=*/100, /*status=*/404);
  WebhookOptions o = FastOptions();
  o.urls = {r.url("/hook"), "http://127.0.0.1:1/unreachable", "gopher://nope"};
  WebhookNotifier n(o);
  n.OnEvent(JobEvent(6, v1::JOB_STATE_FAILED));
  REQUIRE(n.WaitIdle(absl::Seconds(60)));
  CHECK(r.hits().size() == 1);  // 404: not retried
  CHECK(n.stats().dropped == 3);
  CHECK(n.stats().retried == o.max_attempts - 1);  // the unreachable one was retried
}

TEST_CASE("a publish refreshes Jellyfin, Emby and Plex through their APIs") {
  Receiver r;
  WebhookOptions o = FastOptions();
  o.jellyfin_url = r.url("/jf/");
  o.jellyfin_token = "jf-key";
  o.emby_url = r.url("/emby");
  o.emby_token = "emby-key";
  o.plex_url = r.url();
  o.plex_token = "plex-key";
  WebhookNotifier n(o);
  n.OnEvent(JobEvent(7, v1::JOB_STATE_FAILED));  // no publish: no refresh
  n.OnEvent(JobEvent(8, v1::JOB_STATE_COMPLETED, "/out/m8.mkv"));
  REQUIRE(n.WaitIdle(absl::Seconds(30)));
  const auto hits = r.hits();
  REQUIRE(hits.size() == 3);
  std::map<std::string, Receiver::Hit> by_path;
  for (const auto& h : hits) by_path[h.path] = h;
  REQUIRE(by_path.count("/jf/Library/Refresh"));
  CHECK(by_path["/jf/Library/Refresh"].method == "POST");
  CHECK(by_path["/jf/Library/Refresh"].jellyfin_token == "jf-key");
  REQUIRE(by_path.count("/emby/Library/Refresh"));
  CHECK(by_path["/emby/Library/Refresh"].emby_token == "emby-key");
  REQUIRE(by_path.count("/library/sections/all/refresh"));
  CHECK(by_path["/library/sections/all/refresh"].method == "GET");
  CHECK(by_path["/library/sections/all/refresh"].query_token == "plex-key");
}

TEST_CASE("OnEvent returns at once even when the endpoint never answers") {
  // A listening socket that never accepts: the delivery hangs until its timeout, the caller not.
  httplib::Server silent;
  const int port = silent.bind_to_any_port("127.0.0.1");
  WebhookOptions o = FastOptions();
  o.urls = {"http://127.0.0.1:" + std::to_string(port) + "/hook"};
  o.request_timeout = absl::Milliseconds(100);
  o.max_attempts = 1;
  WebhookNotifier n(o);
  for (int i = 0; i < 10; ++i) n.OnEvent(JobEvent(100 + i, v1::JOB_STATE_FAILED));
  // Had OnEvent blocked on the network, we would not get here before 10 timeouts passed; the
  // observable contract is simply that all 10 are queued and later dropped, not delivered.
  REQUIRE(n.WaitIdle(absl::Seconds(120)));
  CHECK(n.stats().delivered == 0);
  CHECK(n.stats().dropped == 10);
}

}  // namespace
}  // namespace mkvfleet::ops
