// Tool discovery through common/process: PATH search, `-version` banners, statvfs.
#include "agent/tool_discovery.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/process/subprocess.h"

namespace mkvfleet::agent {
namespace {

// A version banner must come back quickly; a tool that hangs here is reported, not waited for.
constexpr absl::Duration kVersionProbeTimeout = absl::Seconds(10);

std::vector<std::string> VersionArgs(absl::string_view tool) {
  if (tool == "ffmpeg" || tool == "ffprobe") return {"-hide_banner", "-version"};
  return {"--version"};
}

}  // namespace

const std::vector<std::string>& KnownTools() {
  static const std::vector<std::string> tools = {"ffmpeg", "ffprobe", "x265", "mkvmerge",
                                                 "mediainfo"};
  return tools;
}

std::string ParseToolVersion(absl::string_view tool, absl::string_view output) {
  std::string pattern;
  if (tool == "ffmpeg" || tool == "ffprobe") {
    pattern = std::string(tool) + R"( version (\S+))";
  } else if (tool == "x265") {
    pattern = R"(HEVC encoder version (\S+))";
  } else if (tool == "mkvmerge") {
    pattern = R"(mkvmerge v(\S+))";
  } else if (tool == "mediainfo") {
    pattern = R"(MediaInfoLib - v(\S+))";
  } else {
    pattern = R"((\d+(\.\d+)+\S*))";
  }
  std::smatch m;
  std::string text(output);
  if (std::regex_search(text, m, std::regex(pattern))) return m[1].str();
  return "";
}

std::string FindInPath(absl::string_view program, absl::string_view path_env) {
  if (program.empty()) return "";
  if (program.find('/') != absl::string_view::npos) {
    std::string p(program);
    return access(p.c_str(), X_OK) == 0 ? p : "";
  }
  for (absl::string_view dir : absl::StrSplit(path_env, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::vector<ToolInfo> DiscoverTools(const std::map<std::string, std::string>& overrides) {
  const char* path_env = std::getenv("PATH");
  std::vector<ToolInfo> tools;
  for (const auto& name : KnownTools()) {
    ToolInfo info;
    info.name = name;
    auto it = overrides.find(name);
    const std::string wanted = it != overrides.end() && !it->second.empty() ? it->second : name;
    info.path = FindInPath(wanted, path_env ? path_env : "/usr/bin:/bin");
    if (info.path.empty()) {
      info.problem = absl::StrCat(wanted, " not found (install it or set tools.", name, ")");
      tools.push_back(std::move(info));
      continue;
    }
    process::ProcessSpec spec;
    spec.argv = {info.path};
    for (auto& a : VersionArgs(name)) spec.argv.push_back(a);
    spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
    spec.timeout = kVersionProbeTimeout;
    auto result = process::RunProcess(spec);
    if (!result.ok()) {
      info.problem = std::string(result.status().message());
    } else {
      info.version = ParseToolVersion(name, result->stdout_data + "\n" + result->stderr_tail);
      if (!result->success() && info.version.empty()) {
        info.problem = absl::StrCat(process::FormatArgv(spec.argv), ": ", result->Describe());
      } else if (info.version.empty()) {
        info.problem = "version not recognised";
      }
    }
    tools.push_back(std::move(info));
  }
  return tools;
}

absl::StatusOr<int64_t> FreeBytes(const std::string& dir) {
  struct statvfs st;
  if (statvfs(dir.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot stat filesystem of ", dir, ": ",
                                            std::strerror(errno)));
  }
  return static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
}

}  // namespace mkvfleet::agent
