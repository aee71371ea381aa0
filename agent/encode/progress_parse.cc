// Tool progress lines (see the header).
#include "agent/encode/progress_parse.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mkvfleet::agent::encode {
namespace {

// "0:01:02" -> 62000 ms.
std::optional<int64_t> ParseClock(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.empty() || parts.size() > 3) return std::nullopt;
  int64_t seconds = 0;
  for (absl::string_view p : parts) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(p, &v) || v < 0) return std::nullopt;
    seconds = seconds * 60 + v;
  }
  return seconds * 1000;
}

// "21.19 fps" -> 21.19.
std::optional<double> ParseFps(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (!absl::ConsumeSuffix(&text, " fps")) return std::nullopt;
  double fps = 0;
  if (!absl::SimpleAtod(text, &fps)) return std::nullopt;
  return fps;
}

}  // namespace

std::optional<ToolProgress> ParseX265Progress(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  ToolProgress p;
  if (absl::ConsumePrefix(&line, "[")) {
    // "39.6%] 19/48 frames, 21.19 fps, 199.59 kb/s, eta 0:00:01"
    const size_t close = line.find("] ");
    if (close == absl::string_view::npos) return std::nullopt;
    line.remove_prefix(close + 2);
    std::vector<absl::string_view> fields = absl::StrSplit(line, ", ");
    if (fields.size() < 2) return std::nullopt;
    absl::string_view counts = fields[0];
    if (!absl::ConsumeSuffix(&counts, " frames")) return std::nullopt;
    std::pair<absl::string_view, absl::string_view> dt = absl::StrSplit(counts, '/');
    if (!absl::SimpleAtoi(dt.first, &p.frames_done) ||
        !absl::SimpleAtoi(dt.second, &p.frames_total)) {
      return std::nullopt;
    }
    std::optional<double> fps = ParseFps(fields[1]);
    if (!fps) return std::nullopt;
    p.fps = *fps;
    for (absl::string_view f : fields) {
      if (absl::ConsumePrefix(&f, "eta ")) {
        if (std::optional<int64_t> eta = ParseClock(f)) p.eta_ms = *eta;
      }
    }
    return p;
  }
  // "19 frames: 21.19 fps, 199.59 kb/s"
  const size_t colon = line.find(" frames: ");
  if (colon == absl::string_view::npos) return std::nullopt;
  if (!absl::SimpleAtoi(line.substr(0, colon), &p.frames_done)) return std::nullopt;
  std::vector<absl::string_view> fields =
      absl::StrSplit(line.substr(colon + sizeof(" frames: ") - 1), ", ");
  std::optional<double> fps = ParseFps(fields[0]);
  if (!fps) return std::nullopt;
  p.fps = *fps;
  return p;
}

std::optional<int64_t> ParseFfmpegProgressFrame(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  if (!absl::ConsumePrefix(&line, "frame=")) return std::nullopt;
  int64_t frames = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &frames)) return std::nullopt;
  return frames;
}

}  // namespace mkvfleet::agent::encode
