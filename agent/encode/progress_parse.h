// Reading progress out of the tools' own output, purely from the text of one line, so the encode
// step can report frames done / total, fps and ETA with the heartbeats.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace mkvfleet::agent::encode {

// What one progress line says.
struct ToolProgress {
  int64_t frames_done = 0;
  int64_t frames_total = 0;  // 0 when the line does not say
  double fps = 0;
  int64_t eta_ms = 0;        // 0 when the line does not say
  bool operator==(const ToolProgress&) const = default;
};

// x265's progress line, with --frames: "[39.6%] 19/48 frames, 21.19 fps, 199.59 kb/s, eta 0:00:01"
// and without: "19 frames: 21.19 fps, 199.59 kb/s". nullopt for any other line (banners, the
// final "encoded 48 frames in 0.57s" summary).
std::optional<ToolProgress> ParseX265Progress(absl::string_view line);

// ffmpeg's -progress key=value output is line by line; this reads "frame=123" (nullopt for
// other keys).
std::optional<int64_t> ParseFfmpegProgressFrame(absl::string_view line);

}  // namespace mkvfleet::agent::encode
