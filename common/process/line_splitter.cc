// Chunk-to-line splitting for subprocess output.
#include "common/process/line_splitter.h"

namespace mkvfleet::process {

void LineSplitter::Feed(absl::string_view chunk) {
  for (char c : chunk) {
    if (c == '\n' || c == '\r') {
      if (!pending_.empty()) {
        if (on_line_) on_line_(pending_);
        pending_.clear();
      }
      continue;
    }
    pending_.push_back(c);
    if (pending_.size() >= max_line_bytes_) {
      if (on_line_) on_line_(pending_);
      pending_.clear();
    }
  }
}

void LineSplitter::Flush() {
  if (!pending_.empty()) {
    if (on_line_) on_line_(pending_);
    pending_.clear();
  }
}

}  // namespace mkvfleet::process
