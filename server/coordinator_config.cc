// Coordinator settings from the config layers, and their cross-checks.
#include "server/coordinator_config.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::server {
namespace {

// Host part of "HOST:PORT" or "[V6]:PORT"; "" when malformed.
std::string HostOf(const std::string& listen) {
  if (absl::StartsWith(listen, "[")) {
    auto end = listen.find(']');
    return end == std::string::npos ? "" : listen.substr(1, end - 1);
  }
  auto colon = listen.rfind(':');
  return colon == std::string::npos ? "" : listen.substr(0, colon);
}

// A duration key written in whole seconds; `def` when unset.
absl::StatusOr<absl::Duration> GetSeconds(const config::ConfigLayers& layers, const char* key,
                                          absl::Duration def) {
  ASSIGN_OR_RETURN(const int64_t seconds, layers.GetInt(key, absl::ToInt64Seconds(def)));
  return absl::Seconds(seconds);
}

}  // namespace

bool IsLoopbackListen(const std::string& listen) {
  const std::string host = HostOf(listen);
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<CoordinatorConfig> LoadCoordinatorConfig(const config::ConfigLayers& layers) {
  CoordinatorConfig c;
  ASSIGN_OR_RETURN(c.listen, layers.GetString("listen", c.listen));
  ASSIGN_OR_RETURN(c.state_dir, layers.GetString("state_dir"));
  ASSIGN_OR_RETURN(c.output_dir, layers.GetString("output_dir"));
  ASSIGN_OR_RETURN(c.test_file, layers.GetString("test_file"));
  ASSIGN_OR_RETURN(c.admin_token, layers.GetString("admin_token"));
  ASSIGN_OR_RETURN(c.agent_token, layers.GetString("agent_token"));
  ASSIGN_OR_RETURN(c.tls_cert_file, layers.GetString("tls_cert_file"));
  ASSIGN_OR_RETURN(c.tls_key_file, layers.GetString("tls_key_file"));
  ASSIGN_OR_RETURN(c.log_level, layers.GetString("log_level", c.log_level));
  ASSIGN_OR_RETURN(const int64_t watchers,
                   layers.GetInt("max_event_watchers", c.max_event_watchers));
  c.max_event_watchers = static_cast<int>(std::min<int64_t>(watchers, 1 << 20));
  ASSIGN_OR_RETURN(c.policy.lease_duration,
                   GetSeconds(layers, "lease_seconds", c.policy.lease_duration));
  ASSIGN_OR_RETURN(c.heartbeat_interval,
                   GetSeconds(layers, "heartbeat_seconds", c.heartbeat_interval));
  ASSIGN_OR_RETURN(c.policy.backoff_base,
                   GetSeconds(layers, "backoff_base_seconds", c.policy.backoff_base));
  ASSIGN_OR_RETURN(c.policy.backoff_cap,
                   GetSeconds(layers, "backoff_cap_seconds", c.policy.backoff_cap));
  ASSIGN_OR_RETURN(const int64_t max_attempts,
                   layers.GetInt("max_attempts", c.policy.max_attempts));
  c.policy.max_attempts = static_cast<int>(max_attempts);
  ASSIGN_OR_RETURN(c.library_roots, layers.GetStringList("library_roots"));
  ASSIGN_OR_RETURN(const auto policy, layers.GetTable("policy"));
  for (const auto& [key, value] : policy) c.ignored_policy_keys.push_back(key);
  ASSIGN_OR_RETURN(c.watch.enabled, layers.GetBool("watch.enabled", c.watch.enabled));
  ASSIGN_OR_RETURN(c.watch.settle, GetSeconds(layers, "watch.settle_seconds", c.watch.settle));
  ASSIGN_OR_RETURN(c.watch.rescan, GetSeconds(layers, "watch.rescan_seconds", c.watch.rescan));
  ASSIGN_OR_RETURN(c.library_marker_file, layers.GetString("library.marker_file"));
  ChunkingPolicy& ch = c.policy.chunking;
  ASSIGN_OR_RETURN(ch.min_seconds, layers.GetDouble("chunking.min_seconds", ch.min_seconds));
  ASSIGN_OR_RETURN(const int64_t per_agent,
                   layers.GetInt("chunking.chunks_per_agent", ch.chunks_per_agent));
  ch.chunks_per_agent = static_cast<int>(per_agent);
  ASSIGN_OR_RETURN(ch.min_chunk_seconds,
                   layers.GetDouble("chunking.min_chunk_seconds", ch.min_chunk_seconds));
  ASSIGN_OR_RETURN(ch.max_chunk_seconds,
                   layers.GetDouble("chunking.max_chunk_seconds", ch.max_chunk_seconds));
  return c;
}

absl::Status ValidateCoordinatorConfig(const CoordinatorConfig& c) {
  if (c.state_dir.empty()) {
    return absl::InvalidArgumentError("no state dir: pass --state-dir DIR (or set state_dir)");
  }
  if (c.listen.empty() || c.listen.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address '", c.listen, "' must be HOST:PORT"));
  }
  if (c.policy.lease_duration < absl::Seconds(1)) {
    return absl::InvalidArgumentError("lease_seconds must be at least 1");
  }
  if (c.heartbeat_interval <= absl::ZeroDuration() ||
      c.heartbeat_interval >= c.policy.lease_duration) {
    return absl::InvalidArgumentError(
        "heartbeat_seconds must be positive and shorter than lease_seconds");
  }
  if (c.policy.max_attempts < 1) return absl::InvalidArgumentError("max_attempts must be >= 1");
  if (c.max_event_watchers < 1) {
    return absl::InvalidArgumentError("max_event_watchers must be >= 1");
  }
  if (c.policy.backoff_base < absl::ZeroDuration() ||
      c.policy.backoff_cap < c.policy.backoff_base) {
    return absl::InvalidArgumentError(
        "backoff_base_seconds must be >= 0 and backoff_cap_seconds >= backoff_base_seconds");
  }
  const ChunkingPolicy& ch = c.policy.chunking;
  if (ch.min_seconds < 0 || ch.chunks_per_agent < 1 || ch.min_chunk_seconds <= 0 ||
      ch.max_chunk_seconds < ch.min_chunk_seconds) {
    return absl::InvalidArgumentError(
        "chunking: min_seconds must be >= 0, chunks_per_agent >= 1, min_chunk_seconds > 0 and "
        "max_chunk_seconds >= min_chunk_seconds");
  }
  if (c.watch.settle < absl::ZeroDuration() || c.watch.rescan < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        "watch.settle_seconds must be >= 0 and watch.rescan_seconds >= 1");
  }
  if (!c.library_marker_file.empty() &&
      (c.library_marker_file[0] == '/' || absl::StrContains(c.library_marker_file, ".."))) {
    return absl::InvalidArgumentError(
        absl::StrCat("library.marker_file '", c.library_marker_file,
                     "' must be a path relative to each library root, without '..'"));
  }
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both tls_cert_file and tls_key_file");
  }
  if (!IsLoopbackListen(c.listen) && (c.admin_token.empty() || c.agent_token.empty())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to listen on ", c.listen,
        " (beyond loopback) without tokens: set MKVFLEET_ADMIN_TOKEN and MKVFLEET_AGENT_TOKEN "
        "(or admin_token/agent_token in the config), or listen on 127.0.0.1"));
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::server
