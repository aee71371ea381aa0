// Finds the media tools the pipeline drives (ffmpeg, ffprobe, x265, mkvmerge, mediainfo) and what
// this machine offers (threads, free space in the work dir), for Register's capabilities. The
// probes themselves live in common/doctor, shared with `mkv-agent --check` and `mkvctl doctor`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::agent {

// A tool as found on this machine.
struct ToolInfo {
  std::string name;     // "ffmpeg", ...
  std::string path;     // absolute path, "" when not found
  std::string version;  // e.g. "5.1.9-0+deb12u1", "" when not found or unparsable
  std::string problem;  // why it is missing or unusable, "" when fine
};

// The tools the agent looks for, in a stable order.
const std::vector<std::string>& KnownTools();

// The version inside a tool's `-version`/`--version` output (stdout and stderr together), or "".
// Pure; knows the banners of ffmpeg, ffprobe, x265, mkvmerge and mediainfo.
std::string ParseToolVersion(absl::string_view tool, absl::string_view output);

// The absolute path of `program` in the ':'-separated `path_env`, or "" when no executable file
// of that name is there. A `program` containing '/' is returned as is when executable.
std::string FindInPath(absl::string_view program, absl::string_view path_env);

// Finds and runs each known tool (with a short timeout). `overrides` maps a tool name to a path to
// use instead of a PATH search. A tool that is missing or fails is reported in ToolInfo::problem,
// never as an error: an agent without x265 can still do lossless jobs.
std::vector<ToolInfo> DiscoverTools(const std::map<std::string, std::string>& overrides);

// Bytes available to this user on the filesystem holding `dir`. NotFound when dir is missing.
absl::StatusOr<int64_t> FreeBytes(const std::string& dir);

}  // namespace mkvfleet::agent
