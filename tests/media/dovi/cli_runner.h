// Runs the built mkvctl (and the independent tools ffprobe, mkvmerge, mkvinfo, mediainfo) as
// subprocesses for the Dolby Vision CLI and media tests, capturing exit status and output.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mkvfleet::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr (tail)
};

// Runs argv (argv[0] from PATH, or a path). Fails the test if it cannot start.
CommandResult RunCommand(const std::vector<std::string>& argv);
// The mkvctl binary of this build tree.
std::string MkvctlPath();
// RunCommand({mkvctl, args...}).
CommandResult RunMkvctl(const std::vector<std::string>& args);
// Runs argv, requires exit 0 and parses stdout as JSON.
nlohmann::json RunJson(const std::vector<std::string>& argv);
// Number of '\n'-terminated lines in text.
int CountLines(const std::string& text);

}  // namespace mkvfleet::testing
