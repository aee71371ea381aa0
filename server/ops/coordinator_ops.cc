// Starting and stopping the coordinator's operations side; see coordinator_ops.h.
#include "server/ops/coordinator_ops.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/client_channel.h"
#include "common/status/status_macros.h"
#include "server/ops/webhook_formats.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::ops {

absl::StatusOr<CoordinatorOpsOptions> LoadCoordinatorOpsOptions(
    const config::ConfigLayers& layers) {
  CoordinatorOpsOptions o;
  auto str = [&](const char* key, std::string* out) -> absl::Status {
    ASSIGN_OR_RETURN(*out, layers.GetString(key));
    return absl::OkStatus();
  };
  for (auto [key, out] : std::initializer_list<std::pair<const char*, std::string*>>{
           {"http_listen", &o.http_listen},
           {"jellyfin_url", &o.webhooks.jellyfin_url},
           {"jellyfin_token", &o.webhooks.jellyfin_token},
           {"emby_url", &o.webhooks.emby_url},
           {"emby_token", &o.webhooks.emby_token},
           {"plex_url", &o.webhooks.plex_url},
           {"plex_token", &o.webhooks.plex_token}}) {
    RETURN_IF_ERROR(str(key, out));
  }
  ASSIGN_OR_RETURN(o.webhooks.urls, layers.GetStringList("webhook_urls"));
  for (const std::string& u : o.webhooks.urls) {
    if (absl::Status s = ParseWebhookTarget(u).status(); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "webhook_urls (", layers.OriginOf("webhook_urls"), "): \"", u, "\": ", s.message()));
    }
  }
  return o;
}

std::string LoopbackTargetFor(const std::string& listen_address) {
  if (absl::StartsWith(listen_address, "0.0.0.0:")) {
    return absl::StrCat("127.0.0.1:", listen_address.substr(8));
  }
  if (absl::StartsWith(listen_address, "[::]:"))
    return absl::StrCat("[::1]:", listen_address.substr(5));
  return listen_address;
}

absl::Status CheckCoordinatorHealth(server::JobStore& store, const std::string& state_dir) {
  absl::StatusOr<std::map<std::string, int64_t>> counts = store.CountJobsByState();
  if (!counts.ok()) {
    return absl::UnavailableError(
        absl::StrCat("job database does not answer: ", counts.status().message()));
  }
  // The database lives in state_dir; a file we can create there means SQLite can write its
  // journal and WAL too (no read-only remount, no full disk, permissions intact).
  const std::string probe = absl::StrCat(state_dir, "/.healthz-", getpid());
  {
    std::ofstream out(probe, std::ios::trunc);
    out << "ok\n";
    out.flush();
    if (!out) {
      return absl::UnavailableError(absl::StrCat("state dir ", state_dir,
                                                 " is not writable (full disk, read-only mount "
                                                 "or permissions?)"));
    }
  }
  std::error_code ec;
  std::filesystem::remove(probe, ec);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<CoordinatorOps>> CoordinatorOps::Start(
    const config::ConfigLayers& layers, const server::CoordinatorConfig& config,
    server::CoordinatorServer& server, std::shared_ptr<grpc::Channel> admin_channel) {
  ASSIGN_OR_RETURN(const CoordinatorOpsOptions options, LoadCoordinatorOpsOptions(layers));

  std::unique_ptr<CoordinatorOps> ops(new CoordinatorOps());
  ops->server_ = &server;
  ops->state_dir_ = config.state_dir;
  ops->ops_metrics_ = std::make_unique<http::OpsMetrics>(ops->registry_);

  if (admin_channel == nullptr) {
    auth::ClientConnectOptions connect;
    connect.target = LoopbackTargetFor(server.address());
    if (!config.tls_cert_file.empty()) {
      connect.use_tls = true;
      connect.tls_ca_file = config.tls_cert_file;
    }
    ASSIGN_OR_RETURN(admin_channel, auth::MakeChannel(connect));
  }
  server::JobStore* store = &server.store();
  ops->ops_metrics_->SetTotalsSource([store] {
    const server::StoreTotals t = store->Totals();
    return http::CoordinatorTotals{t.lease_expiries, t.retries, t.bytes_read, t.bytes_written};
  });
  const std::string state_dir = config.state_dir;
  ops->backend_ = std::make_unique<http::GrpcAdminBackend>(
      admin_channel, config.admin_token,
      [store, state_dir] { return CheckCoordinatorHealth(*store, state_dir); });

  std::string where = absl::StrCat("gRPC on ", server.address());
  if (!options.http_listen.empty()) {
    ASSIGN_OR_RETURN(const http::ListenAddress listen,
                     http::ParseListenAddress(options.http_listen));
    http::DashboardOptions dashboard;
    dashboard.listen = listen;
    dashboard.admin_token = config.admin_token;
    ops->dashboard_ =
        std::make_unique<http::DashboardServer>(*ops->backend_, *ops->ops_metrics_, dashboard);
    RETURN_IF_ERROR(ops->dashboard_->Start());
    absl::StrAppend(&where, ", dashboard on http://", listen.host, ":", ops->dashboard_->port());
  }
  if (options.webhooks.enabled()) {
    ops->webhooks_ = std::make_unique<WebhookNotifier>(options.webhooks);
    WebhookNotifier* hooks = ops->webhooks_.get();
    ops->webhook_subscription_ =
        ops->backend_->Subscribe([hooks](const v1::Event& e) { hooks->OnEvent(e); });
    spdlog::info("webhooks enabled urls={} jellyfin={} emby={} plex={}",
                 options.webhooks.urls.size(), !options.webhooks.jellyfin_url.empty(),
                 !options.webhooks.emby_url.empty(), !options.webhooks.plex_url.empty());
  }

  ops->status_prefix_ = where;
  if (absl::Status s = ops->notifier_.Ready(); !s.ok()) {
    spdlog::warn("sd_notify READY failed error=\"{}\"", std::string(s.message()));
  }
  ops->status_thread_ = std::thread([raw = ops.get()] { raw->StatusLoop(); });
  return ops;
}

void CoordinatorOps::StatusLoop() {
  // Without a watchdog, STATUS= still refreshes now and then for `systemctl status`.
  const absl::Duration period = notifier_.watchdog_interval() > absl::ZeroDuration()
                                    ? notifier_.watchdog_interval()
                                    : absl::Seconds(10);
  absl::MutexLock lock(&mu_);
  while (!stop_) {
    mu_.Unlock();
    const absl::Status health = CheckCoordinatorHealth(server_->store(), state_dir_);
    std::string status = status_prefix_;
    if (health.ok()) {
      // A watchdog ping only while the database answers: a wedged coordinator gets restarted.
      (void)notifier_.WatchdogPing();
      if (auto counts = server_->store().CountJobsByState(); counts.ok()) {
        std::vector<std::string> parts;
        for (const auto& [state, n] : *counts) {
          if (n > 0) parts.push_back(absl::StrCat(n, " ", state));
        }
        absl::StrAppend(&status, "; jobs: ", parts.empty() ? "none" : absl::StrJoin(parts, ", "));
      }
    } else {
      absl::StrAppend(&status, "; UNHEALTHY: ", health.message());
      spdlog::error("coordinator unhealthy error=\"{}\"", std::string(health.message()));
    }
    (void)notifier_.Status(status);
    mu_.Lock();
    mu_.AwaitWithTimeout(absl::Condition(&stop_), period);
  }
}

void CoordinatorOps::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  (void)notifier_.Stopping();
  (void)notifier_.Status("stopping: finishing requests and closing the database");
  if (status_thread_.joinable()) status_thread_.join();
  if (dashboard_) dashboard_->Stop();
  webhook_subscription_.reset();
  if (webhooks_) {
    if (!webhooks_->WaitIdle(absl::Seconds(5))) {
      spdlog::warn("webhooks still pending at shutdown");
    }
    webhooks_.reset();
  }
}

CoordinatorOps::~CoordinatorOps() { Stop(); }

}  // namespace mkvfleet::ops
