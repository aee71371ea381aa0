// The checks of `mkv-agent --check` (see the header), built from common/doctor.
#include "agent/agent_check.h"

#include <cstdlib>
#include <filesystem>

#include "absl/time/clock.h"
#include "agent/coordinator_client.h"
#include "common/doctor/host_checks.h"
#include "common/doctor/tool_checks.h"

namespace mkvfleet::agent {
namespace {

// `dir`, or its nearest existing ancestor (the agent creates the work dir when it starts).
std::string ExistingFolderFor(const std::string& dir) {
  std::filesystem::path p(dir);
  std::error_code ec;
  while (!p.empty() && !std::filesystem::exists(p, ec) && p != p.root_path()) p = p.parent_path();
  return p.empty() ? "." : p.string();
}

}  // namespace

std::vector<doctor::CheckLine> RunAgentChecks(const AgentConfig& config) {
  std::vector<doctor::CheckLine> lines;
  const char* path_env = std::getenv("PATH");
  for (const auto& name : doctor::MediaToolNames()) {
    auto it = config.tool_paths.find(name);
    lines.push_back(doctor::CheckTool(doctor::ProbeTool(
        name, it != config.tool_paths.end() ? it->second : "", path_env ? path_env : "")));
  }

  const std::string space_dir = ExistingFolderFor(config.work_dir);
  lines.push_back(doctor::CheckFreeSpace("work dir", space_dir, doctor::FreeBytes(space_dir)));

  if (config.library_roots.empty()) {
    lines.push_back(doctor::Warning(
        "library", "no library root known to this agent: not checked",
        "set library_roots (or path_map) in the agent config to where this VM mounts the library"));
  }
  for (const auto& root : config.library_roots) {
    lines.push_back(doctor::CheckLibraryRoot(root, config.library_marker,
                                             doctor::InspectDir(root, config.library_marker)));
  }

  CoordinatorClient client(auth::ClientConnectOptions{config.server, config.tls, config.tls_ca_file,
                                                      config.tls_server_name},
                           config.token);
  const absl::Time sent = absl::Now();
  absl::StatusOr<absl::Time> server_time = client.GetServerTime();
  const absl::Time received = absl::Now();
  for (auto& l : doctor::CheckCoordinatorCall(config.server, doctor::TokenRole::kAgent,
                                              !config.token.empty(), server_time.status())) {
    lines.push_back(std::move(l));
  }
  if (server_time.ok()) lines.push_back(doctor::CheckClockSkew(sent, received, *server_time));
  return lines;
}

}  // namespace mkvfleet::agent
