// Tool probes and their judgement (see the header).
#include "common/doctor/tool_checks.h"

#include <unistd.h>

#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/process/subprocess.h"

namespace mkvfleet::doctor {
namespace {

// A version banner must come back quickly; a tool that hangs here is reported, not waited for.
constexpr absl::Duration kProbeTimeout = absl::Seconds(10);

std::vector<std::string> VersionArgs(absl::string_view tool) {
  if (tool == "ffmpeg" || tool == "ffprobe") return {"-hide_banner", "-version"};
  return {"--version"};
}

// The Debian package that ships `tool`.
std::string PackageOf(absl::string_view tool) {
  if (tool == "ffprobe") return "ffmpeg";
  if (tool == "mkvmerge") return "mkvtoolnix";
  return std::string(tool);
}

// Runs argv, returning stdout + stderr. *error gets a message when it could not run, was killed or
// timed out, or (need_success) exited non-zero.
std::string RunForOutput(std::vector<std::string> argv, std::string* error, bool need_success) {
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  spec.timeout = kProbeTimeout;
  auto result = process::RunProcess(spec);
  if (!result.ok()) {
    *error = std::string(result.status().message());
    return "";
  }
  if (result->timed_out || result->term_signal != 0 || (need_success && !result->success())) {
    *error = absl::StrCat(process::FormatArgv(spec.argv), ": ", result->Describe());
  }
  return result->stdout_data + "\n" + result->stderr_tail;
}

}  // namespace

const std::vector<std::string>& MediaToolNames() {
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

X265Features ParseX265Features(absl::string_view version_output, absl::string_view help_output) {
  X265Features f;
  for (absl::string_view line : absl::StrSplit(version_output, '\n')) {
    const size_t at = line.find("build info ");
    if (at == absl::string_view::npos) continue;
    f.build_info_found = true;
    // "build info [Linux][GCC 12.2.0][64 bit] 8bit+10bit+12bit": the depths follow the last ']'.
    absl::string_view depths = line.substr(at);
    if (size_t close = depths.rfind(']'); close != absl::string_view::npos) {
      depths = depths.substr(close + 1);
    }
    for (absl::string_view d :
         absl::StrSplit(depths, absl::ByAnyChar("+ \r\t"), absl::SkipEmpty())) {
      if (d == "8bit") f.depth8 = true;
      if (d == "10bit") f.depth10 = true;
      if (d == "12bit") f.depth12 = true;
    }
  }
  f.dolby_vision = absl::StrContains(help_output, "--dolby-vision-profile");
  return f;
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

CheckLine CheckTool(const ToolProbe& p) {
  const std::string check = "tool " + p.name;
  const bool configured = p.wanted.find('/') != std::string::npos;
  if (p.path.empty()) {
    if (configured) {
      return Error(
          check,
          absl::StrCat(p.name, " not found: configured path ", p.wanted,
                       " is not an executable file"),
          absl::StrCat("fix tools.", p.name, " in the config (or remove it to search PATH)"));
    }
    return Error(check, absl::StrCat(p.name, " not found on PATH"),
                 absl::StrCat("install it (apt install ", PackageOf(p.name), ") or set tools.",
                              p.name, " in the config to its path"));
  }
  if (!p.run_error.empty()) {
    return Error(check, absl::StrCat(p.name, " at ", p.path, " does not run: ", p.run_error),
                 absl::StrCat("reinstall ", PackageOf(p.name), " or point tools.", p.name,
                              " at a working binary"));
  }
  const std::string version = ParseToolVersion(p.name, p.version_output);
  if (version.empty()) {
    return Warning(check, absl::StrCat(p.name, " at ", p.path, ": version not recognised"),
                   absl::StrCat("check that ", p.path, " really is ", p.name));
  }
  std::string found = absl::StrCat(version, " at ", p.path);
  if (p.name == "x265") {
    const X265Features f = ParseX265Features(p.version_output, p.help_output);
    const std::string lossless =
        "re-encode plans (FEL reencode, standard) need it; lossless dv-convert jobs still work";
    if (f.build_info_found && !f.depth10) {
      return Error(check, absl::StrCat(found, ": no 10-bit (main10) output in this build"),
                   absl::StrCat("install an x265 built with 10-bit support (Debian's x265 is "
                                "8bit+10bit+12bit); ",
                                lossless));
    }
    if (!f.dolby_vision) {
      return Error(
          check,
          absl::StrCat(found,
                       ": no Dolby Vision support (--dolby-vision-profile "
                       "missing from x265 --help)"),
          absl::StrCat("install an x265 with Dolby Vision support (3.5 or later); ", lossless));
    }
    if (!f.build_info_found) {
      return Warning(check,
                     absl::StrCat(found,
                                  ": Dolby Vision ok, bit depths unknown (no build "
                                  "info line)"),
                     "check that `x265 --output-depth 10` works");
    }
    absl::StrAppend(&found, " (10-bit, Dolby Vision)");
  }
  return Ok(check, found);
}

ToolProbe ProbeTool(const std::string& name, const std::string& configured_path,
                    absl::string_view path_env) {
  ToolProbe p;
  p.name = name;
  p.wanted = configured_path.empty() ? name : configured_path;
  p.path = FindInPath(p.wanted, path_env);
  if (p.path.empty()) return p;
  std::vector<std::string> argv = {p.path};
  for (auto& a : VersionArgs(name)) argv.push_back(a);
  // A non-zero exit only matters when no banner came out (some tools exit 1 after --version).
  std::string exit_error;
  p.version_output = RunForOutput(argv, &exit_error, /*need_success=*/true);
  if (!exit_error.empty() && ParseToolVersion(name, p.version_output).empty()) {
    p.run_error = exit_error;
    return p;
  }
  if (name == "x265") {
    std::string ignored;  // `x265 --help` exits 1 after printing the help
    p.help_output = RunForOutput({p.path, "--help"}, &ignored, /*need_success=*/false);
  }
  return p;
}

}  // namespace mkvfleet::doctor
