// Agent settings from config layers (see the header for keys).
#include "agent/agent_config.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent {
namespace {

absl::Status Required(const std::string& value, const char* key, const char* flag) {
  if (!value.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("missing ", key, ": pass ", flag, " or set it in the config file"));
}

}  // namespace

absl::StatusOr<AgentConfig> LoadAgentConfig(const config::ConfigLayers& layers) {
  AgentConfig c;
  ASSIGN_OR_RETURN(c.server, layers.GetString("server"));
  ASSIGN_OR_RETURN(c.name, layers.GetString("name"));
  ASSIGN_OR_RETURN(c.work_dir, layers.GetString("work_dir"));
  ASSIGN_OR_RETURN(c.token, layers.GetString("agent_token"));
  std::vector<std::string> map_entries;
  ASSIGN_OR_RETURN(map_entries, layers.GetStringList("path_map"));
  ASSIGN_OR_RETURN(c.path_map, ParsePathMappings(map_entries));
  ASSIGN_OR_RETURN(c.shared_work_dir, layers.GetString("shared_work_dir"));
  ASSIGN_OR_RETURN(c.pipeline, layers.GetString("pipeline", "media"));
  int64_t ms = 0;
  ASSIGN_OR_RETURN(ms, layers.GetInt("test_step_ms", 300));
  c.test_step_duration = absl::Milliseconds(ms);
  ASSIGN_OR_RETURN(ms, layers.GetInt("claim_poll_ms", 1000));
  if (ms <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("claim_poll_ms must be positive (from ",
                                                   layers.OriginOf("claim_poll_ms"), ")"));
  }
  c.claim_poll_interval = absl::Milliseconds(ms);
  ASSIGN_OR_RETURN(ms,
                   layers.GetInt("stop_grace_seconds", absl::ToInt64Seconds(kDefaultStopGrace)));
  if (ms < 0) {
    return absl::InvalidArgumentError(absl::StrCat("stop_grace_seconds must be 0 or more (from ",
                                                   layers.OriginOf("stop_grace_seconds"), ")"));
  }
  c.stop_grace = absl::Seconds(ms);
  ASSIGN_OR_RETURN(c.library_roots, layers.GetStringList("library_roots"));
  if (c.library_roots.empty()) {
    for (const auto& m : c.path_map) c.library_roots.push_back(m.local_prefix);
  }
  ASSIGN_OR_RETURN(c.library_marker, layers.GetString("library_marker"));
  ASSIGN_OR_RETURN(c.log_level, layers.GetString("log_level", "info"));
  ASSIGN_OR_RETURN(c.tls, layers.GetBool("tls", false));
  ASSIGN_OR_RETURN(c.tls_ca_file, layers.GetString("tls_ca_file"));
  ASSIGN_OR_RETURN(c.tls_server_name, layers.GetString("tls_server_name"));
  ASSIGN_OR_RETURN(c.tool_paths, layers.GetTable("tools"));
  RETURN_IF_ERROR(Required(c.server, "server", "--server HOST:PORT"));
  RETURN_IF_ERROR(Required(c.name, "name", "--name NAME"));
  RETURN_IF_ERROR(Required(c.work_dir, "work_dir", "--work-dir DIR"));
  return c;
}

}  // namespace mkvfleet::agent
