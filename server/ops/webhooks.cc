// Webhook and media-server refresh deliveries with retries; see webhooks.h.
#include "server/ops/webhooks.h"

#include <algorithm>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "httplib.h"
#include "server/http/json_view.h"
#include "server/ops/webhook_formats.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::ops {

std::string WebhookEventName(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_COMPLETED:
      return "job.completed";
    case v1::JOB_STATE_FAILED:
      return "job.failed";
    case v1::JOB_STATE_FAILED_PERMANENT:
      return "job.failed_permanent";
    default:
      return "";
  }
}

nlohmann::json WebhookPayload(const v1::Job& job, int64_t time_ms) {
  nlohmann::json j = http::JobToJson(job);
  j.erase("steps");
  return {{"event", WebhookEventName(job.state())}, {"time_ms", time_ms}, {"job", j}};
}

absl::Duration RetryDelay(int attempt, absl::Duration initial, absl::Duration max, double jitter) {
  absl::Duration d = initial;
  for (int i = 2; i < attempt && d < max; ++i) d *= 2;
  d = std::min(d, max);
  return d * std::clamp(jitter, 0.5, 1.0);
}

absl::Status SplitUrl(const std::string& url, std::string* origin, std::string* path) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://") && !absl::ConsumePrefix(&rest, "https://")) {
    return absl::InvalidArgumentError("URL must start with http:// or https://");
  }
  const size_t slash = rest.find_first_of("/?");
  const size_t scheme_len = url.size() - rest.size();
  if (slash == 0 || rest.empty()) return absl::InvalidArgumentError("URL has no host");
  if (slash == absl::string_view::npos) {
    *origin = url;
    *path = "/";
  } else {
    *origin = url.substr(0, scheme_len + slash);
    *path = std::string(rest.substr(slash));
    if ((*path)[0] == '?') path->insert(0, "/");
  }
  return absl::OkStatus();
}

namespace {

// The URL without its query (where Plex carries its token), for logs.
std::string Loggable(const std::string& url) { return url.substr(0, url.find('?')); }

}  // namespace

WebhookNotifier::WebhookNotifier(WebhookOptions options) : options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

WebhookNotifier::~WebhookNotifier() {
  size_t pending = 0;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    pending = queue_.size();
  }
  thread_.join();
  if (pending > 0) spdlog::warn("webhooks stopping with undelivered={}", pending);
}

void WebhookNotifier::OnEvent(const v1::Event& event) {
  if (event.kind() != v1::EVENT_KIND_JOB_CHANGED) return;
  const v1::Job& job = event.job();
  const std::string name = WebhookEventName(job.state());
  if (name.empty()) return;
  {
    absl::MutexLock lock(&mu_);
    if (!notified_.insert({job.id(), job.state(), job.attempts()}).second) return;
    if (notified_.size() > 100000) notified_.erase(notified_.begin());
  }
  const int64_t now_ms = event.time_ms() > 0 ? event.time_ms() : absl::ToUnixMillis(absl::Now());
  for (const std::string& configured : options_.urls) {
    // Config loading refuses bad entries; one that slips through is tried as plain JSON and
    // dropped by Attempt with its reason.
    const WebhookTarget target =
        ParseWebhookTarget(configured).value_or(WebhookTarget{WebhookFormat::kJson, configured});
    WebhookMessage m = FormatWebhook(target.format, job, now_ms);
    Queue({"webhook", "POST", target.url, std::move(m.body), std::move(m.headers), 1, {}});
  }
  // A library refresh only makes sense once a new file was published.
  if (job.state() != v1::JOB_STATE_COMPLETED || job.output().empty()) return;
  if (!options_.jellyfin_url.empty()) {
    Queue({"jellyfin",
           "POST",
           absl::StrCat(absl::StripSuffix(options_.jellyfin_url, "/"), "/Library/Refresh"),
           "",
           {{"X-MediaBrowser-Token", options_.jellyfin_token}},
           1,
           {}});
  }
  if (!options_.emby_url.empty()) {
    Queue({"emby",
           "POST",
           absl::StrCat(absl::StripSuffix(options_.emby_url, "/"), "/Library/Refresh"),
           "",
           {{"X-Emby-Token", options_.emby_token}},
           1,
           {}});
  }
  if (!options_.plex_url.empty()) {
    Queue({"plex",
           "GET",
           absl::StrCat(absl::StripSuffix(options_.plex_url, "/"),
                        "/library/sections/all/refresh?X-Plex-Token=", options_.plex_token),
           "",
           {},
           1,
           {}});
  }
}

void WebhookNotifier::Queue(Delivery d) {
  d.due = absl::Now();
  absl::MutexLock lock(&mu_);
  if (queue_.size() >= options_.queue_capacity) {
    ++stats_.dropped;
    spdlog::warn("webhook dropped what={} url={} reason=\"queue full\"", d.what, Loggable(d.url));
    return;
  }
  queue_.push_back(std::move(d));
}

absl::Status WebhookNotifier::Attempt(const Delivery& d) const {
  std::string origin, path;
  if (absl::Status s = SplitUrl(d.url, &origin, &path); !s.ok()) {
    return absl::FailedPreconditionError(s.message());
  }
  httplib::Client client(origin);
  const int64_t timeout_us = absl::ToInt64Microseconds(options_.request_timeout);
  client.set_connection_timeout(timeout_us / 1000000, timeout_us % 1000000);
  client.set_read_timeout(timeout_us / 1000000, timeout_us % 1000000);
  client.set_write_timeout(timeout_us / 1000000, timeout_us % 1000000);
  httplib::Headers headers;
  std::string content_type = "application/json";
  for (const auto& [name, value] : d.headers) {
    if (name == "Content-Type") {
      content_type = value;  // httplib sets the header from Post's argument
    } else {
      headers.emplace(name, value);
    }
  }
  headers.emplace("User-Agent", "mkvfleet-coordinator");
  httplib::Result res = d.method == "GET"
                            ? client.Get(path.c_str(), headers)
                            : client.Post(path.c_str(), headers, d.body, content_type);
  if (!res) {
    return absl::UnavailableError(absl::StrCat("no answer: ", httplib::to_string(res.error())));
  }
  const int status = res->status;
  if (status >= 200 && status < 300) return absl::OkStatus();
  const std::string msg = absl::StrCat("HTTP ", status);
  if (status >= 500 || status == 408 || status == 429) return absl::UnavailableError(msg);
  return absl::FailedPreconditionError(msg);
}

void WebhookNotifier::Run() {
  std::minstd_rand rng(std::random_device{}());
  absl::MutexLock lock(&mu_);
  while (true) {
    if (stop_) return;
    // Sleep until the earliest delivery is due, a new one arrives, or we are stopped.
    auto next =
        std::min_element(queue_.begin(), queue_.end(),
                         [](const Delivery& a, const Delivery& b) { return a.due < b.due; });
    const absl::Duration wait =
        next == queue_.end() ? absl::InfiniteDuration() : next->due - absl::Now();
    if (wait > absl::ZeroDuration()) {
      const size_t size_before = queue_.size();
      auto changed = [this, size_before]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || queue_.size() != size_before;
      };
      mu_.AwaitWithTimeout(absl::Condition(&changed), wait);
      continue;
    }
    Delivery d = std::move(*next);
    queue_.erase(next);
    ++in_flight_;
    mu_.Unlock();
    const absl::Status result = Attempt(d);
    mu_.Lock();
    --in_flight_;
    if (result.ok()) {
      ++stats_.delivered;
      spdlog::info("webhook delivered what={} url={} attempt={}", d.what, Loggable(d.url),
                   d.attempt);
    } else if (absl::IsUnavailable(result) && d.attempt < options_.max_attempts && !stop_) {
      ++stats_.retried;
      const double jitter = std::uniform_real_distribution<double>(0.5, 1.0)(rng);
      ++d.attempt;
      d.due = absl::Now() +
              RetryDelay(d.attempt, options_.initial_backoff, options_.max_backoff, jitter);
      spdlog::warn("webhook failed what={} url={} attempt={} error=\"{}\" retry_in_ms={}", d.what,
                   Loggable(d.url), d.attempt - 1, std::string(result.message()),
                   absl::ToInt64Milliseconds(d.due - absl::Now()));
      queue_.push_back(std::move(d));
    } else {
      ++stats_.dropped;
      spdlog::warn("webhook given up what={} url={} attempts={} error=\"{}\"", d.what,
                   Loggable(d.url), d.attempt, std::string(result.message()));
    }
  }
}

bool WebhookNotifier::WaitIdle(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return queue_.empty() && in_flight_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

WebhookNotifier::Stats WebhookNotifier::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace mkvfleet::ops
