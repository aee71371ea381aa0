// Wiring of the coordinator's parts, and their orderly shutdown.
#include "server/coordinator_server.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/wire_limits.h"
#include "common/status/status_macros.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/constants.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::server {
namespace {

constexpr absl::Duration kShutdownGrace = absl::Seconds(2);

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read TLS ", what, " file ", path, ": check the path and permissions"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const CoordinatorConfig& c) {
  if (c.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  ASSIGN_OR_RETURN(std::string cert, ReadPem(c.tls_cert_file, "certificate"));
  ASSIGN_OR_RETURN(std::string key, ReadPem(c.tls_key_file, "key"));
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({key, cert});
  return grpc::SslServerCredentials(options);
}

std::string HostPart(const std::string& listen) {
  auto colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

}  // namespace

absl::StatusOr<std::unique_ptr<CoordinatorServer>> CoordinatorServer::Start(
    const CoordinatorConfig& config, const Clock* clock) {
  RETURN_IF_ERROR(ValidateCoordinatorConfig(config));
  std::unique_ptr<CoordinatorServer> s(new CoordinatorServer());
  if (clock == nullptr) clock = &s->system_clock_;

  ASSIGN_OR_RETURN(Library library, Library::Create(config.library_roots, config.output_dir,
                                                    config.test_file, config.library_marker_file));
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> creds, Credentials(config));
  ASSIGN_OR_RETURN(s->lock_, StateDirLock::Acquire(config.state_dir));

  s->bus_ = std::make_unique<EventBus>();
  EventBus* bus = s->bus_.get();
  ASSIGN_OR_RETURN(s->store_, JobStore::Open(config.state_dir + "/jobs.db", config.policy, clock,
                                             [bus](const StoreEvent& ev) { bus->Publish(ev); }));
  RETURN_IF_ERROR(s->store_->GraceLeasesAfterRestart());

  const ApiTokens tokens{config.admin_token, config.agent_token};
  s->agent_service_ =
      std::make_unique<AgentServiceImpl>(*s->store_, *clock, tokens, config.heartbeat_interval);
  s->library_ = std::make_unique<Library>(library);
  s->admin_service_ = std::make_unique<AdminServiceImpl>(*s->store_, *s->bus_, std::move(library),
                                                         tokens, config.max_event_watchers);

  grpc::ServerBuilder builder;
  // Without SO_REUSEPORT a second server on the same port fails to bind instead of silently
  // sharing the connections (SO_REUSEADDR still lets a restart reuse the port at once).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // The synchronous server hands each call to a worker thread and, by default, ends any worker
  // beyond two idle pollers: under a fleet's steady stream of calls it created and destroyed
  // threads continuously (clone/munmap were a tenth of the coordinator's CPU under bench/load).
  // Keeping idle workers around costs only their stacks.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  // Message sizes (common/auth/wire_limits.h): a bigger request is refused with
  // RESOURCE_EXHAUSTED before any handler sees it.
  builder.SetMaxReceiveMessageSize(auth::kMaxRequestMessageBytes);
  builder.SetMaxSendMessageSize(auth::kMaxReplyMessageBytes);
  // Pings on idle connections end the calls of a peer that vanished without closing (a watcher's
  // stream would otherwise hold its thread and its watcher slot until TCP gives up, hours later).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(kServerKeepaliveTime)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(kServerKeepaliveTimeout)));
  builder.AddListeningPort(config.listen, creds, &s->port_);
  builder.RegisterService(s->agent_service_.get());
  builder.RegisterService(s->admin_service_.get());
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", config.listen,
                     ": the address is invalid, not local to this machine, or the port is in use"));
  }
  s->address_ = absl::StrCat(HostPart(config.listen), ":", s->port_);

  s->reaper_ = std::make_unique<LeaseReaper>(*s->store_, kReaperInterval);
  s->reaper_->Start();
  if (config.watch.enabled) {
    ASSIGN_OR_RETURN(s->watcher_,
                     LibraryWatcher::Start(*s->store_, *s->library_, config.watch, *clock));
  }
  if (!config.ignored_policy_keys.empty()) {
    spdlog::warn(
        "config [policy] keys are ignored: plan policy is set per agent in the [media] table of "
        "its config keys={}",
        absl::StrJoin(config.ignored_policy_keys, ","));
  }
  spdlog::info(
      "coordinator started listen={} state_dir={} library_roots={} output_dir={} tls={} "
      "admin_token={} agent_token={} lease_s={} heartbeat_s={} max_attempts={} schema={}",
      s->address_, config.state_dir, config.library_roots.size(),
      config.output_dir.empty() ? "(beside source)" : config.output_dir,
      config.tls_cert_file.empty() ? "off" : "on", config.admin_token.empty() ? "unset" : "set",
      config.agent_token.empty() ? "unset" : "set",
      absl::ToInt64Seconds(config.policy.lease_duration),
      absl::ToInt64Seconds(config.heartbeat_interval), config.policy.max_attempts,
      s->store_->schema_version());
  return s;
}

CoordinatorServer::~CoordinatorServer() { Shutdown(); }

void CoordinatorServer::Shutdown() {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  const bool was_serving = server_ != nullptr;
  if (bus_) bus_->Close();  // ends WatchEvents streams promptly
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(absl::ToInt64Milliseconds(kShutdownGrace)));
  }
  if (watcher_) watcher_->Stop();  // no enqueues once the store closes
  if (reaper_) reaper_->Stop();
  server_.reset();
  admin_service_.reset();
  agent_service_.reset();
  store_.reset();  // closes the database (WAL checkpointed by SQLite on last close)
  lock_.reset();
  if (was_serving) spdlog::info("coordinator stopped");
}

}  // namespace mkvfleet::server
