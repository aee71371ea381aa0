// What the three binaries' command lines share, so they behave like every Unix tool: `--version`
// prints the project version, and a relative path given on the command line means the current
// directory (config files keep their own rule: absolute paths only, see docs/operations.md).
#pragma once

#include <string>

#include "CLI/CLI.hpp"

namespace mkvfleet::cli {

// Adds `--version` to `app`, printing "PROGRAM VERSION" (e.g. "mkvctl 0.1.0") and exiting 0.
void AddVersionFlag(CLI::App& app, const std::string& program);

// A CLI11 transform for path options: a relative path becomes absolute against the current
// directory (lexically normalised, symlinks untouched); absolute and empty values are kept.
// Attach with `->transform(AbsolutePath())`.
CLI::Validator AbsolutePath();

// The function behind AbsolutePath, for values that do not come from CLI11 options.
std::string MakeAbsolute(const std::string& path);

}  // namespace mkvfleet::cli
