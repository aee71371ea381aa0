// Tool discovery for Register: the probes and parsers of common/doctor, reduced to ToolInfo.
#include "agent/tool_discovery.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/doctor/host_checks.h"
#include "common/doctor/tool_checks.h"

namespace mkvfleet::agent {

const std::vector<std::string>& KnownTools() { return doctor::MediaToolNames(); }

std::string ParseToolVersion(absl::string_view tool, absl::string_view output) {
  return doctor::ParseToolVersion(tool, output);
}

std::string FindInPath(absl::string_view program, absl::string_view path_env) {
  return doctor::FindInPath(program, path_env);
}

std::vector<ToolInfo> DiscoverTools(const std::map<std::string, std::string>& overrides) {
  const char* path_env = std::getenv("PATH");
  std::vector<ToolInfo> tools;
  for (const auto& name : KnownTools()) {
    auto it = overrides.find(name);
    const doctor::ToolProbe probe = doctor::ProbeTool(
        name, it != overrides.end() ? it->second : "", path_env ? path_env : "/usr/bin:/bin");
    ToolInfo info;
    info.name = name;
    info.path = probe.path;
    info.version = ParseToolVersion(name, probe.version_output);
    if (probe.path.empty()) {
      info.problem = absl::StrCat(probe.wanted, " not found (install it or set tools.", name, ")");
    } else if (!probe.run_error.empty()) {
      info.problem = probe.run_error;
    } else if (info.version.empty()) {
      info.problem = "version not recognised";
    }
    tools.push_back(std::move(info));
  }
  return tools;
}

absl::StatusOr<int64_t> FreeBytes(const std::string& dir) { return doctor::FreeBytes(dir); }

}  // namespace mkvfleet::agent
