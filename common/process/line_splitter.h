// Splits a byte stream that arrives in arbitrary chunks into lines, so progress parsers (ffmpeg,
// x265) see whole lines. Both '\n' and '\r' end a line: ffmpeg and x265 redraw progress with '\r'.
#pragma once

#include <functional>
#include <string>

#include "absl/strings/string_view.h"

namespace mkvfleet::process {

// Feeds chunks in, calls `on_line` once per complete line (without its terminator; empty lines
// between "\r\n" pairs are dropped). A line longer than max_line_bytes is delivered in pieces.
// Not thread-safe.
class LineSplitter {
 public:
  using LineCallback = std::function<void(absl::string_view line)>;

  explicit LineSplitter(LineCallback on_line, size_t max_line_bytes = 64 * 1024)
      : on_line_(std::move(on_line)), max_line_bytes_(max_line_bytes) {}

  // Consumes a chunk; delivers every line it completes.
  void Feed(absl::string_view chunk);
  // Delivers what is left after the last terminator, if anything (call at end of stream).
  void Flush();

 private:
  LineCallback on_line_;
  size_t max_line_bytes_;
  std::string pending_;
};

}  // namespace mkvfleet::process
