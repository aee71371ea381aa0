// Everything that makes the coordinator pleasant to run unattended, started next to the
// CoordinatorServer in one call: sd_notify (READY=1, STATUS= with job counts, WATCHDOG=1 while the
// job database answers), the web dashboard + /metrics + /healthz on --http-listen, and webhooks /
// media-server refreshes. It reaches the coordinator only through the AdminService (like mkvctl)
// and the store's read-only counters, so it never bypasses validation or events.
//
// Keys (TOML top level), read with common/config; each can also come from its environment
// variable, and http_listen from a flag:
// clang-format off
//
//   key             environment              flag           what it sets
//   http_listen     MKVFLEET_HTTP_LISTEN     --http-listen  HOST:PORT of the dashboard; "" = off
//                                                           (default). Beyond loopback only with
//                                                           admin_token set.
//   webhook_urls    MKVFLEET_WEBHOOK_URLS                   URLs that get a JSON POST on job
//                                                           completed / failed / failed_permanent
//                                                           (the env value is ':'-separated, so
//                                                           prefer the TOML list for URLs)
//   jellyfin_url    MKVFLEET_JELLYFIN_URL                   Jellyfin library refresh after a
//   jellyfin_token  MKVFLEET_JELLYFIN_TOKEN                 publish: server URL and API key
//   emby_url        MKVFLEET_EMBY_URL                       the same for Emby
//   emby_token      MKVFLEET_EMBY_TOKEN
//   plex_url        MKVFLEET_PLEX_URL                       the same for Plex
//   plex_token      MKVFLEET_PLEX_TOKEN
// clang-format on
//
// Usage in main():
//   auto ops = mkvfleet::ops::CoordinatorOps::Start(*layers, *config, **server);
//   if (!ops.ok()) return Fail(ops.status());
//   ... sigwait(...) ...
//   (*ops)->Stop();            // STOPPING=1, dashboard and webhooks down
//   (*server)->Shutdown();
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/config/config_layers.h"
#include "common/metrics/registry.h"
#include "common/notify/notifier.h"
#include "grpcpp/channel.h"
#include "server/coordinator_config.h"
#include "server/coordinator_server.h"
#include "server/http/dashboard_server.h"
#include "server/http/grpc_admin_backend.h"
#include "server/http/ops_metrics.h"
#include "server/ops/webhooks.h"

namespace mkvfleet::ops {

struct CoordinatorOpsOptions {
  std::string http_listen;  // "" = no dashboard
  WebhookOptions webhooks;
};

// Reads the keys listed above. InvalidArgument naming the key for a malformed value.
absl::StatusOr<CoordinatorOpsOptions> LoadCoordinatorOpsOptions(const config::ConfigLayers& layers);

// The AdminService address the ops side dials: the coordinator's own, with a wildcard host
// (0.0.0.0, ::) replaced by loopback. Pure.
std::string LoopbackTargetFor(const std::string& listen_address);

// OK when the job database answers and the state dir accepts a new file (the /healthz and
// watchdog condition); the error names what is wrong.
absl::Status CheckCoordinatorHealth(server::JobStore& store, const std::string& state_dir);

class CoordinatorOps {
 public:
  // Starts the dashboard (when http_listen is set) and webhooks (when configured), then sends
  // READY=1. `server` must outlive the returned object. `admin_channel` reaches the
  // coordinator's AdminService; null = dial server.address() on loopback (TLS with the
  // configured certificate as trust root when TLS is on).
  // Errors: InvalidArgument for bad keys, FailedPrecondition for a non-loopback http_listen
  // without admin token, Unavailable when the dashboard address cannot be bound.
  static absl::StatusOr<std::unique_ptr<CoordinatorOps>> Start(
      const config::ConfigLayers& layers, const server::CoordinatorConfig& config,
      server::CoordinatorServer& server, std::shared_ptr<grpc::Channel> admin_channel = nullptr);
  ~CoordinatorOps();  // Stop()

  // SIGTERM path: STOPPING=1, then the dashboard, the event subscription and webhooks stop
  // (webhooks get a few seconds to deliver what is queued). Idempotent. Call before the
  // coordinator's own Shutdown().
  void Stop();

  // Bound dashboard port, 0 when the dashboard is off.
  int http_port() const { return dashboard_ ? dashboard_->port() : 0; }
  http::OpsMetrics& metrics() { return *ops_metrics_; }

 private:
  CoordinatorOps() = default;
  void StatusLoop();

  notify::Notifier notifier_ = notify::Notifier::FromEnvironment();
  server::CoordinatorServer* server_ = nullptr;
  std::string state_dir_;
  std::string status_prefix_;
  metrics::Registry registry_;
  std::unique_ptr<http::OpsMetrics> ops_metrics_;
  std::unique_ptr<http::GrpcAdminBackend> backend_;
  std::unique_ptr<http::DashboardServer> dashboard_;
  std::unique_ptr<WebhookNotifier> webhooks_;
  std::unique_ptr<http::DashboardSubscription> webhook_subscription_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread status_thread_;
};

}  // namespace mkvfleet::ops
