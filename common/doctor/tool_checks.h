// The media tools the agent drives (ffmpeg, ffprobe, x265, mkvmerge, mediainfo): where they are,
// which version, and whether x265 offers what the re-encode plans need (10-bit output, Dolby
// Vision RPU insertion). Parsing and judging are pure functions over the tools' own output;
// ProbeTool is the only part that runs anything.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/doctor/check_report.h"

namespace mkvfleet::doctor {

// The tools, in a stable order.
const std::vector<std::string>& MediaToolNames();

// What looking for and running one tool gave.
struct ToolProbe {
  std::string name;            // "x265"
  std::string wanted;          // the configured path, or the bare name searched in PATH
  std::string path;            // the executable found; "" = not found
  std::string run_error;       // why it could not be run (or failed without a banner); "" = ran
  std::string version_output;  // stdout + stderr of `-version` / `--version`
  std::string help_output;     // x265 only: stdout + stderr of `--help`
};

// The version inside a tool's version output, or "". Knows the banners of ffmpeg, ffprobe
// ("ffmpeg version 5.1.6-0+deb12u1"), x265 ("HEVC encoder version 3.5+1-f0c1022b6"), mkvmerge
// ("mkvmerge v74.0.0") and mediainfo ("MediaInfoLib - v23.04").
std::string ParseToolVersion(absl::string_view tool, absl::string_view output);

// What an x265 binary can do, read from `x265 --version` and `x265 --help`.
struct X265Features {
  bool build_info_found = false;  // the "build info [...] 8bit+10bit+12bit" line was there
  bool depth8 = false, depth10 = false, depth12 = false;
  bool dolby_vision = false;  // --help lists --dolby-vision-profile
};
X265Features ParseX265Features(absl::string_view version_output, absl::string_view help_output);

// The absolute path of `program` in the ':'-separated `path_env`, or "" when no executable of that
// name is there. A `program` containing '/' is returned as is when executable, else "".
std::string FindInPath(absl::string_view program, absl::string_view path_env);

// Judges one probe: error when the tool is missing or cannot run, or (x265) lacks 10-bit or Dolby
// Vision support; warning when its version banner is not recognised; ok with version and path.
CheckLine CheckTool(const ToolProbe& probe);

// Finds `name` (at `configured_path` when not empty, else in `path_env`) and runs its version
// command, and for x265 `--help`, each with a short timeout. Never fails: problems land in the
// probe for CheckTool to judge.
ToolProbe ProbeTool(const std::string& name, const std::string& configured_path,
                    absl::string_view path_env);

}  // namespace mkvfleet::doctor
