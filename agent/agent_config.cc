// Agent settings from config layers (see the header for keys).
#include "agent/agent_config.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

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
  if (!c.shared_work_dir.empty() && c.shared_work_dir.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("shared_work_dir must be an absolute path, not \"", c.shared_work_dir,
                     "\" (from ", layers.OriginOf("shared_work_dir"), ")"));
  }
  while (c.shared_work_dir.size() > 1 && c.shared_work_dir.back() == '/') {
    c.shared_work_dir.pop_back();
  }
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
  ASSIGN_OR_RETURN(ms,
                   layers.GetInt("chunk_stall_seconds", absl::ToInt64Seconds(kDefaultChunkStall)));
  if (ms <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("chunk_stall_seconds must be positive (from ",
                                                   layers.OriginOf("chunk_stall_seconds"), ")"));
  }
  c.chunk_stall = absl::Seconds(ms);
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

absl::Status CheckSharedWorkDir(const std::string& dir) {
  if (dir.empty()) return absl::OkStatus();
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("shared work dir ", dir, " does not exist: mount the shared folder there, ",
                     "or fix --shared-work-dir / shared_work_dir (\"\" = none)"));
  }
  if (!fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("shared work dir ", dir, " is not a directory: fix --shared-work-dir / ",
                     "shared_work_dir"));
  }
  const fs::path probe = fs::path(dir) / absl::StrCat(".mkvfleet-write-test-", ::getpid());
  {
    std::ofstream out(probe, std::ios::trunc);
    if (!out || !(out << "ok\n") || !out.flush()) {
      const int err = errno;
      fs::remove(probe, ec);
      return absl::FailedPreconditionError(
          absl::StrCat("shared work dir ", dir, " is not writable by this agent (",
                       std::strerror(err), "): give the agent's user write access to it"));
    }
  }
  fs::remove(probe, ec);
  return absl::OkStatus();
}

}  // namespace mkvfleet::agent
