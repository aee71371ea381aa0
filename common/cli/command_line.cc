// --version and relative path options (see the header).
#include "common/cli/command_line.h"

#include <filesystem>
#include <system_error>

#include "common/cli/version.h"

namespace mkvfleet::cli {

void AddVersionFlag(CLI::App& app, const std::string& program) {
  app.set_version_flag("--version", program + " " + kVersion, "print the version and exit");
}

std::string MakeAbsolute(const std::string& path) {
  if (path.empty()) return path;
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::absolute(p, ec);
  if (ec) return path;  // no current directory: the caller's own checks name the path
  return abs.lexically_normal().string();
}

CLI::Validator AbsolutePath() {
  return CLI::Validator(
      [](std::string& value) {
        value = MakeAbsolute(value);
        return std::string();  // never refuses: the binary's own checks name a bad path
      },
      std::string(), "ABSOLUTE");
}

}  // namespace mkvfleet::cli
