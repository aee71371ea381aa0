// Tiny generated test films (256x144, 2 s, made once per test process with common/media's
// generator) and small helpers to look at files with the independent tools.
#pragma once

#include <string>
#include <vector>

#include "common/samplegen/sample_spec.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::testing {

// Path of a generated sample of `kind` (cached per process; do not modify it).
const std::string& Sample(samplegen::SampleKind kind);
// Copies a cached sample to `path` (so a test may own, move or damage it).
void CopySample(samplegen::SampleKind kind, const std::string& path);

// Copies a cached sample to `path` through ffmpeg (`-map 0 -c copy` plus `extra` output
// options): a file as libavformat's Matroska muxer writes it (a CRC-32 first in every level-1
// element, all tags before the clusters).
void FfmpegCopyOfSample(samplegen::SampleKind kind, const std::string& path,
                        const std::vector<std::string>& extra = {});
// ffmpeg output options that leave out the video track's byte statistics (BPS, NUMBER_OF_BYTES),
// which it otherwise copies from mkvmerge's tags.
inline const std::vector<std::string> kFfmpegNoVideoStats = {
    "-metadata:s:v:0", "NUMBER_OF_BYTES=", "-metadata:s:v:0", "BPS="};

// Runs a tool (argv, no shell) and returns its stdout; fails the test when it does not exit 0.
std::string RunTool(const std::vector<std::string>& argv);
nlohmann::json ToolJson(const std::vector<std::string>& argv);

// Hex SHA-256 of a file's bytes.
std::string Sha256OfFile(const std::string& path);

}  // namespace mkvfleet::testing
