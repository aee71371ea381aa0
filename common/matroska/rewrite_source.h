// The source side of the element-level rewrite (matroska_rewriter.h): the file read with pread at
// offsets the rewrite already knows, and the element headers found there, with errors that name
// the file and the byte. Kept apart so the rewriter holds only the rewrite itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/matroska/ebml.h"

namespace mkvfleet::matroska {

// A Matroska file open for reading at known offsets. Not thread-safe; one rewrite owns it.
class RewriteSource {
 public:
  RewriteSource() = default;
  ~RewriteSource();  // closes the file
  RewriteSource(const RewriteSource&) = delete;
  RewriteSource& operator=(const RewriteSource&) = delete;

  // Opens `path` and learns its size. Errors, naming the file: NotFound, PermissionDenied,
  // DataLoss (any other open or stat failure).
  absl::Status Open(const std::string& path);
  // REQUIRES: Open() succeeded.
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Reads exactly `n` bytes at `offset` into `out` (resized to `n`). DataLoss naming the file and
  // the byte on a read error or when the file ends first (truncated).
  absl::Status ReadAt(uint64_t offset, size_t n, std::vector<uint8_t>& out);

  // The element header at `offset`. Errors: those of ReadAt; DataLoss when the file ends inside
  // the header; Unimplemented (naming the byte) for a header that does not parse.
  absl::StatusOr<ElementHeader> HeaderAt(uint64_t offset);

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::vector<uint8_t> header_buf_;
};

}  // namespace mkvfleet::matroska
