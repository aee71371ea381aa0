// A test hook that makes a crash point deterministic: when the agent runs with
// MKVFLEET_TEST_PAUSE_DIR=DIR and the file DIR/pause-POINT exists, reaching POINT creates
// DIR/POINT.reached and waits until pause-POINT is removed (or the step is cancelled), so a test
// can kill the agent at exactly that point. Without the variable it costs one getenv per call.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/time/clock.h"
#include "agent/pipeline.h"

namespace mkvfleet::agent::media {

inline void PauseIfAsked(const StepContext& ctx, const std::string& point) {
  const char* dir = std::getenv("MKVFLEET_TEST_PAUSE_DIR");
  if (dir == nullptr || *dir == '\0') return;
  const std::filesystem::path gate = std::filesystem::path(dir) / ("pause-" + point);
  std::error_code ec;
  if (!std::filesystem::exists(gate, ec)) return;
  ctx.Log(LogLevel::kWarn, "test pause at " + point + " (MKVFLEET_TEST_PAUSE_DIR)");
  std::ofstream(std::filesystem::path(dir) / (point + ".reached")) << "reached\n";
  while (std::filesystem::exists(gate, ec) && !ctx.cancelled()) {
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace mkvfleet::agent::media
