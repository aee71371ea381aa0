// Tiny generated test films (256x144, 2 s, made once per test process with common/media's
// generator) and small helpers to look at files with the independent tools.
#pragma once

#include <string>

#include "common/media/sample_spec.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::testing {

// Path of a generated sample of `kind` (cached per process; do not modify it).
const std::string& Sample(media::SampleKind kind);
// Copies a cached sample to `path` (so a test may own, move or damage it).
void CopySample(media::SampleKind kind, const std::string& path);

// Runs a tool (argv, no shell) and returns its stdout; fails the test when it does not exit 0.
std::string RunTool(const std::vector<std::string>& argv);
nlohmann::json ToolJson(const std::vector<std::string>& argv);

// Hex SHA-256 of a file's bytes.
std::string Sha256OfFile(const std::string& path);

}  // namespace mkvfleet::testing
