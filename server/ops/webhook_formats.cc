// Webhook formats (see the header).
#include "server/ops/webhook_formats.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"
#include "server/ops/webhooks.h"

namespace mkvfleet::ops {
namespace {

// Discord refuses content longer than 2000 characters; chat lines stay well below.
constexpr size_t kMaxLine = 1500;

std::string Shorten(std::string text) {
  if (text.size() <= kMaxLine) return text;
  text.resize(kMaxLine);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();
  if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();
  return text + "...";
}

}  // namespace

absl::StatusOr<WebhookTarget> ParseWebhookTarget(const std::string& configured) {
  WebhookTarget t;
  absl::string_view rest = configured;
  if (absl::ConsumePrefix(&rest, "discord+")) {
    t.format = WebhookFormat::kDiscord;
  } else if (absl::ConsumePrefix(&rest, "slack+")) {
    t.format = WebhookFormat::kSlack;
  } else if (absl::ConsumePrefix(&rest, "ntfy+")) {
    t.format = WebhookFormat::kNtfy;
  } else if (const size_t plus = rest.find('+');
             plus != absl::string_view::npos && plus < rest.find("://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown webhook format \"", rest.substr(0, plus),
        "\" (known: discord+, slack+, ntfy+, or a plain http(s) URL for mkvfleet's JSON)"));
  }
  t.url = std::string(rest);
  std::string origin, path;
  RETURN_IF_ERROR(SplitUrl(t.url, &origin, &path));
  return t;
}

std::string WebhookSummary(const v1::Job& job) {
  const std::string name = std::filesystem::path(job.path()).filename().string();
  const std::string on =
      job.agent().empty() ? "" : absl::StrCat(" on ", job.agent());
  switch (job.state()) {
    case v1::JOB_STATE_COMPLETED:
      return Shorten(absl::StrCat(name, ": completed (", job.plan().empty() ? "no plan" : job.plan(),
                                  on, ")", job.output().empty() ? "" : " -> " + job.output()));
    case v1::JOB_STATE_FAILED:
      return Shorten(absl::StrCat(name, ": failed, will retry (attempt ", job.attempts(), " of ",
                                  job.max_attempts(), on, "): ", job.error()));
    case v1::JOB_STATE_FAILED_PERMANENT:
      return Shorten(absl::StrCat(name, ": failed permanently after ", job.attempts(),
                                  " attempt(s)", on, ": ", job.error()));
    default:
      return Shorten(absl::StrCat(name, ": ", WebhookEventName(job.state())));
  }
}

WebhookMessage FormatWebhook(WebhookFormat format, const v1::Job& job, int64_t time_ms) {
  WebhookMessage m;
  switch (format) {
    case WebhookFormat::kJson:
      m.body = WebhookPayload(job, time_ms).dump();
      m.headers = {{"Content-Type", "application/json"}};
      break;
    case WebhookFormat::kDiscord:
      m.body = nlohmann::json{{"content", WebhookSummary(job)}, {"username", "mkvfleet"}}.dump();
      m.headers = {{"Content-Type", "application/json"}};
      break;
    case WebhookFormat::kSlack:
      m.body = nlohmann::json{{"text", WebhookSummary(job)}}.dump();
      m.headers = {{"Content-Type", "application/json"}};
      break;
    case WebhookFormat::kNtfy: {
      const bool ok = job.state() == v1::JOB_STATE_COMPLETED;
      const bool permanent = job.state() == v1::JOB_STATE_FAILED_PERMANENT;
      m.body = WebhookSummary(job);
      m.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                   {"Title", absl::StrCat("mkvfleet ", WebhookEventName(job.state()))},
                   {"Tags", ok ? "white_check_mark" : permanent ? "x" : "warning"},
                   {"Priority", permanent ? "high" : "default"}};
      break;
    }
  }
  return m;
}

}  // namespace mkvfleet::ops
