// Coordinator settings from the config layers, and their cross-checks.
#include "server/coordinator_config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

}  // namespace

bool IsLoopbackListen(const std::string& listen) {
  const std::string host = HostOf(listen);
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<CoordinatorConfig> LoadCoordinatorConfig(const config::ConfigLayers& c) {
  CoordinatorConfig out;
  absl::Status st;
  auto str = [&](const char* key, std::string* field) {
    if (!st.ok()) return;
    auto v = c.GetString(key, *field);
    if (v.ok()) *field = *v; else st = v.status();
  };
  auto secs = [&](const char* key, absl::Duration* field) {
    if (!st.ok()) return;
    auto v = c.GetInt(key, absl::ToInt64Seconds(*field));
    if (v.ok()) *field = absl::Seconds(*v); else st = v.status();
  };
  str("listen", &out.listen);
  str("state_dir", &out.state_dir);
  str("output_dir", &out.output_dir);
  str("test_file", &out.test_file);
  str("admin_token", &out.admin_token);
  str("agent_token", &out.agent_token);
  str("tls_cert_file", &out.tls_cert_file);
  str("tls_key_file", &out.tls_key_file);
  str("log_level", &out.log_level);
  secs("lease_seconds", &out.policy.lease_duration);
  secs("heartbeat_seconds", &out.heartbeat_interval);
  secs("backoff_base_seconds", &out.policy.backoff_base);
  secs("backoff_cap_seconds", &out.policy.backoff_cap);
  if (!st.ok()) return st;
  auto attempts = c.GetInt("max_attempts", out.policy.max_attempts);
  if (!attempts.ok()) return attempts.status();
  out.policy.max_attempts = static_cast<int>(*attempts);
  auto roots = c.GetStringList("library_roots");
  if (!roots.ok()) return roots.status();
  out.library_roots = *roots;
  auto policy = c.GetTable("policy");
  if (!policy.ok()) return policy.status();
  for (const auto& [key, value] : *policy) out.ignored_policy_keys.push_back(key);
  auto watch = c.GetBool("watch.enabled", out.watch.enabled);
  if (!watch.ok()) return watch.status();
  out.watch.enabled = *watch;
  secs("watch.settle_seconds", &out.watch.settle);
  secs("watch.rescan_seconds", &out.watch.rescan);
  str("library.marker_file", &out.library_marker_file);
  if (!st.ok()) return st;
  return out;
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
  if (c.policy.backoff_base < absl::ZeroDuration() ||
      c.policy.backoff_cap < c.policy.backoff_base) {
    return absl::InvalidArgumentError(
        "backoff_base_seconds must be >= 0 and backoff_cap_seconds >= backoff_base_seconds");
  }
  if (c.watch.settle < absl::ZeroDuration() || c.watch.rescan < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        "watch.settle_seconds must be >= 0 and watch.rescan_seconds >= 1");
  }
  if (!c.library_marker_file.empty() &&
      (c.library_marker_file[0] == '/' || absl::StrContains(c.library_marker_file, ".."))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "library.marker_file '", c.library_marker_file,
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
