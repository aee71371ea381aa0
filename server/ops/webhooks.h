// Tells the outside world when a job ends: a JSON POST to each configured webhook URL on
// job completed / failed / failed_permanent, and after a publish an optional library refresh on
// Jellyfin, Emby or Plex through their HTTP APIs. Deliveries run on one background thread with
// capped, jittered exponential backoff; OnEvent never blocks the coordinator.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "mkvfleet/v1/admin.pb.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::ops {

struct WebhookOptions {
  std::vector<std::string> urls;  // http:// or https:// endpoints for the JSON POST
  std::string jellyfin_url;       // e.g. http://jellyfin.lan:8096 ("" = off)
  std::string jellyfin_token;     // API key, sent as X-MediaBrowser-Token
  std::string emby_url;           // e.g. http://emby.lan:8096 ("" = off)
  std::string emby_token;         // API key, sent as X-Emby-Token
  std::string plex_url;           // e.g. http://plex.lan:32400 ("" = off)
  std::string plex_token;         // X-Plex-Token (query parameter, as Plex wants it)
  int max_attempts = 6;           // per delivery, then it is dropped with a warning
  absl::Duration initial_backoff = absl::Seconds(2);
  absl::Duration max_backoff = absl::Minutes(5);
  absl::Duration request_timeout = absl::Seconds(10);
  size_t queue_capacity = 1000;  // deliveries waiting; beyond it new ones are dropped (logged)

  bool enabled() const {
    return !urls.empty() || !jellyfin_url.empty() || !emby_url.empty() || !plex_url.empty();
  }
};

// "job.completed", "job.failed" or "job.failed_permanent" for a job in that state; "" otherwise.
std::string WebhookEventName(v1::JobState state);
// The JSON POSTed to webhooks: {"event", "time_ms", "job": {id, path, state, output, error,
// attempts, max_attempts, plan, agent, ...}} (the dashboard's job JSON without steps).
nlohmann::json WebhookPayload(const v1::Job& job, int64_t time_ms);
// The delay before attempt `attempt` (2 = first retry): initial * 2^(attempt-2), capped at
// `max`, then scaled by `jitter` in [0.5, 1]. Pure.
absl::Duration RetryDelay(int attempt, absl::Duration initial, absl::Duration max, double jitter);

class WebhookNotifier {
 public:
  struct Stats {
    int64_t delivered = 0;  // 2xx answers
    int64_t retried = 0;    // failed attempts that were rescheduled
    int64_t dropped = 0;    // gave up (attempts exhausted, 4xx, or queue full)
  };

  explicit WebhookNotifier(WebhookOptions options);
  // Stops the worker; deliveries still waiting are dropped (and counted in the log line).
  ~WebhookNotifier();
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  // Looks at one coordinator event; queues deliveries for a job that newly reached completed,
  // failed or failed_permanent (each (job, state, attempt) once). Never blocks on the network.
  void OnEvent(const v1::Event& event);

  // Blocks until nothing is queued or in flight, or `timeout` passes; true when idle.
  bool WaitIdle(absl::Duration timeout);
  Stats stats() const;

 private:
  struct Delivery {
    std::string what;    // for logs: "webhook", "jellyfin", "emby", "plex"
    std::string method;  // "POST" or "GET"
    std::string url;     // full URL (may carry a token: never logged)
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    int attempt = 1;
    absl::Time due;
  };
  void Queue(Delivery d);
  void Run();
  // One HTTP attempt: OK on 2xx; Unavailable (retry) on network errors, 5xx, 408, 429;
  // FailedPrecondition (give up) on other statuses and unusable URLs.
  absl::Status Attempt(const Delivery& d) const;

  const WebhookOptions options_;
  mutable absl::Mutex mu_;
  std::vector<Delivery> queue_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::set<std::tuple<int64_t, int, int>> notified_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// Splits "http://host:port/path?q" into "http://host:port" and "/path?q" ("/" when no path).
// InvalidArgument for anything that is not http:// or https://.
absl::Status SplitUrl(const std::string& url, std::string* origin, std::string* path);

}  // namespace mkvfleet::ops
