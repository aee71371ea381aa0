// What a webhook URL receives, chosen by a prefix on the configured URL, so chat services work
// without a relay: `https://...` gets mkvfleet's JSON (WebhookPayload), `discord+https://...` a
// Discord message, `slack+https://...` a Slack incoming-webhook message, `ntfy+https://...` an ntfy
// notification (plain text, title and tags in headers). Pure.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "mkvfleet/v1/jobs.pb.h"

namespace mkvfleet::ops {

enum class WebhookFormat {
  kJson,     // mkvfleet's own JSON: {"event", "time_ms", "job": {...}}
  kDiscord,  // {"content": "<one line>", "username": "mkvfleet"}
  kSlack,    // {"text": "<one line>"}
  kNtfy,     // the line as a text/plain body; Title, Tags and Priority headers
};

// A configured webhook: its format and the URL to POST to (prefix removed).
struct WebhookTarget {
  WebhookFormat format = WebhookFormat::kJson;
  std::string url;
};

// Parses a `webhook_urls` entry. Errors: InvalidArgument naming an unknown prefix (the known
// ones listed) or a URL that is not http:// or https:// with a host.
absl::StatusOr<WebhookTarget> ParseWebhookTarget(const std::string& configured);

// One POST: body and headers (Content-Type among them).
struct WebhookMessage {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The message for `job`, which just reached completed, failed or failed_permanent.
WebhookMessage FormatWebhook(WebhookFormat format, const v1::Job& job, int64_t time_ms);

// The one-line text chat formats carry, e.g. "Film.mkv: completed (dv-convert on vm1) ->
// /out/Film.mkv" or "Film.mkv: failed, will retry (attempt 1 of 3): <error>".
std::string WebhookSummary(const v1::Job& job);

}  // namespace mkvfleet::ops
