// Incremental Annex B splitter: turns a byte stream fed in arbitrary chunks into whole NAL units.
// It buffers only a NAL cut by a chunk boundary, so memory stays flat however long the stream is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::hevc {

// One NAL unit as found in an Annex B stream. `data` starts with the NAL header and excludes the
// start code and any trailing_zero_8bits; it keeps emulation-prevention bytes. The span borrows
// the chunk being fed or the splitter's buffer and is valid only during the callback.
struct AnnexBNal {
  absl::Span<const uint8_t> data;
  int start_code_size = 4;  // 3 for 00 00 01, 4 for 00 00 00 01 (more zeros also count as 4)
};

// Splits an Annex B byte stream. Feed() chunks in order, then Finish() once. The sink is called
// for each complete NAL, in stream order; a non-OK status from the sink stops splitting and is
// returned. Not thread-safe.
//
// Rules: a start code is two zero bytes and a one; a zero byte right before it makes it the
// 4-byte form; further zeros before a start code are trailing_zero_8bits of the previous NAL and
// are dropped, as are zeros at the end of the stream. Zeros before the first start code are
// leading_zero_8bits and ignored.
class NalSplitter {
 public:
  using Sink = absl::FunctionRef<absl::Status(const AnnexBNal&)>;

  // A NAL larger than max_nal_size is an error (guards memory against garbage input).
  explicit NalSplitter(size_t max_nal_size = kDefaultMaxNalSize) : max_nal_size_(max_nal_size) {}

  // Consumes a chunk. Errors: InvalidArgument if the stream has non-zero bytes before its first
  // start code, ResourceExhausted if a NAL exceeds max_nal_size, or the sink's error.
  absl::Status Feed(absl::Span<const uint8_t> chunk, Sink sink);
  // Emits the last NAL. Errors: InvalidArgument if it is empty (a start code at end of stream),
  // or the sink's error. After Finish() the splitter is back in its initial state.
  absl::Status Finish(Sink sink);

  // Stream bytes consumed so far (for error messages).
  uint64_t bytes_consumed() const { return consumed_; }

  static constexpr size_t kDefaultMaxNalSize = size_t{512} << 20;

 private:
  // Handles the bytes between two start codes (or before the first one): emits them as a NAL
  // without trailing zeros, then notes the size of the start code that ended them.
  absl::Status EndSegment(absl::Span<const uint8_t> segment, uint64_t offset, Sink sink);
  // Keeps the bytes after the chunk's last start code for the next chunk.
  absl::Status Keep(absl::Span<const uint8_t> tail, uint64_t offset);

  size_t max_nal_size_;
  // Bytes after the last start code that no chunk has completed yet (or leading zeros).
  std::vector<uint8_t> buf_;
  bool in_nal_ = false;  // a start code has been seen
  int start_code_size_ = 4;
  uint64_t consumed_ = 0;  // stream bytes fed before the current chunk
};

}  // namespace mkvfleet::hevc
