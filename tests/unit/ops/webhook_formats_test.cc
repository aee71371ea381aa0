// Webhook formats: the URL prefixes, the one-line summaries, and what a Discord, Slack or ntfy
// endpoint (webhooks_test.h's local receiver standing in) receives through the real notifier.
#include "server/ops/webhook_formats.h"

#include <catch2/catch.hpp>

#include <vector>

#include "nlohmann/json.hpp"
#include "server/ops/webhooks.h"
#include "tests/unit/ops/webhook_receiver.h"

namespace mkvfleet::ops {
namespace {

v1::Job Job(v1::JobState state) {
  v1::Job j;
  j.set_id(7);
  j.set_path("/library/Films/Heat (1995).mkv");
  j.set_state(state);
  j.set_plan("dv-convert");
  j.set_agent("vm1");
  j.set_attempts(1);
  j.set_max_attempts(3);
  if (state == v1::JOB_STATE_COMPLETED) j.set_output("/out/Films/Heat (1995).mkv");
  if (state != v1::JOB_STATE_COMPLETED) j.set_error("verify: rpu_per_frame");
  return j;
}

TEST_CASE("webhook URL prefixes choose the format") {
  auto t = ParseWebhookTarget("https://example.org/hook");
  REQUIRE(t.ok());
  CHECK(t->format == WebhookFormat::kJson);
  CHECK(t->url == "https://example.org/hook");
  t = ParseWebhookTarget("discord+https://discord.com/api/webhooks/1/abc");
  REQUIRE(t.ok());
  CHECK(t->format == WebhookFormat::kDiscord);
  CHECK(t->url == "https://discord.com/api/webhooks/1/abc");
  CHECK(ParseWebhookTarget("ntfy+https://ntfy.sh/films")->format == WebhookFormat::kNtfy);
  CHECK(ParseWebhookTarget("slack+https://hooks.slack.com/x")->format == WebhookFormat::kSlack);
  const auto unknown = ParseWebhookTarget("teams+https://x/y");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(std::string(unknown.status().message()), Catch::Contains("unknown webhook format \"teams\""));
  CHECK_FALSE(ParseWebhookTarget("discord+ftp://x/y").ok());
  CHECK(ParseWebhookTarget("https://x/a+b")->format == WebhookFormat::kJson);  // '+' after ://
}

TEST_CASE("summaries say what happened in one line") {
  CHECK(WebhookSummary(Job(v1::JOB_STATE_COMPLETED)) ==
        "Heat (1995).mkv: completed (dv-convert on vm1) -> /out/Films/Heat (1995).mkv");
  CHECK(WebhookSummary(Job(v1::JOB_STATE_FAILED)) ==
        "Heat (1995).mkv: failed, will retry (attempt 1 of 3 on vm1): verify: rpu_per_frame");
  CHECK(WebhookSummary(Job(v1::JOB_STATE_FAILED_PERMANENT)) ==
        "Heat (1995).mkv: failed permanently after 1 attempt(s) on vm1: verify: rpu_per_frame");
  v1::Job long_error = Job(v1::JOB_STATE_FAILED);
  long_error.set_error(std::string(5000, 'x'));
  CHECK(WebhookSummary(long_error).size() < 2000);  // Discord's limit
}

TEST_CASE("Discord, Slack and ntfy endpoints get their own messages") {
  Receiver e;
  WebhookOptions o;
  o.urls = {"discord+" + e.url("/discord"), "slack+" + e.url("/slack"), "ntfy+" + e.url("/films"),
            e.url("/json")};
  WebhookNotifier n(o);
  v1::Event event;
  event.set_kind(v1::EVENT_KIND_JOB_CHANGED);
  event.set_time_ms(1700000000000);
  *event.mutable_job() = Job(v1::JOB_STATE_FAILED_PERMANENT);
  n.OnEvent(event);
  REQUIRE(n.WaitIdle(absl::Seconds(30)));
  const auto hits = e.hits();
  REQUIRE(hits.size() == 4);
  const std::string line = WebhookSummary(event.job());
  for (const auto& h : hits) {
    INFO(h.path << ": " << h.body);
    if (h.path == "/discord") {
      CHECK(h.content_type == "application/json");
      const auto j = nlohmann::json::parse(h.body);
      CHECK(j["content"] == line);
      CHECK(j["username"] == "mkvfleet");
    } else if (h.path == "/slack") {
      CHECK(nlohmann::json::parse(h.body)["text"] == line);
    } else if (h.path == "/films") {
      CHECK(h.content_type == "text/plain; charset=utf-8");
      CHECK(h.body == line);
      CHECK(h.title == "mkvfleet job.failed_permanent");
      CHECK(h.tags == "x");
    } else {
      CHECK(h.path == "/json");
      CHECK(nlohmann::json::parse(h.body)["event"] == "job.failed_permanent");
    }
  }
}

}  // namespace
}  // namespace mkvfleet::ops
