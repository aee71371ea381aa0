// Annex B scanning that looks at NAL units without copying them: for each NAL it hands out only
// its first bytes, or the whole NAL for the types asked for, so a pass that needs headers,
// parameter sets and RPUs (RPU extraction) touches each stream byte once, in the read buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/hevc/nal_splitter.h"

namespace mkvfleet::hevc {

// What the scanner hands out for one NAL unit.
struct ScannedNal {
  // The NAL's first bytes, header first, escaped: the whole NAL when complete(), else the first
  // NalScanner::kHeadBytes. Valid only during the sink call.
  absl::Span<const uint8_t> head;
  // Size of the whole NAL (without start code and trailing_zero_8bits).
  uint64_t size = 0;
  bool complete() const { return head.size() == size; }
};

// Splits an Annex B stream with the rules and errors of NalSplitter (same NAL boundaries, same
// trailing-zero handling, same errors for a stream that does not begin with a start code and for
// empty NALs), but keeps only kHeadBytes of each NAL unless its type is in `whole_types` (bit t
// set: keep NALs of nal_unit_type t whole; those are subject to the max_nal_size limit). Memory:
// the head buffer and the largest whole NAL. Feed() chunks in order, then Finish() once.
// Not thread-safe.
class NalScanner {
 public:
  using Sink = absl::FunctionRef<absl::Status(const ScannedNal&)>;
  // Enough for every field a slice header prefix parse reads (64 RBSP bytes, escaped, + header).
  static constexpr size_t kHeadBytes = 128;

  explicit NalScanner(uint64_t whole_types,
                      size_t max_nal_size = NalSplitter::kDefaultMaxNalSize)
      : whole_types_(whole_types), max_nal_size_(max_nal_size) {
    head_.reserve(kHeadBytes);
  }

  // Consumes a chunk; calls `sink` for every NAL it completes. Errors: as NalSplitter::Feed.
  absl::Status Feed(absl::Span<const uint8_t> chunk, Sink sink);
  // Emits the last NAL. Errors: as NalSplitter::Finish. Afterwards the scanner is reset.
  absl::Status Finish(Sink sink);

 private:
  // Adds bytes of the current NAL (or leading zeros before the first start code).
  absl::Status Append(const uint8_t* p, size_t n);
  // Ends the current NAL at a start code found before stream offset `offset`.
  absl::Status EndNal(uint64_t offset, Sink sink);

  uint64_t whole_types_;
  size_t max_nal_size_;
  std::vector<uint8_t> head_;  // kept bytes of the current NAL
  uint64_t size_ = 0;          // bytes of the current NAL so far, trailing zeros included
  uint64_t zero_run_ = 0;      // zero bytes at the end of what was appended
  bool whole_ = false;         // the current NAL is kept whole
  bool in_nal_ = false;        // a start code has been seen
  uint64_t consumed_ = 0;      // stream bytes fed before the current chunk
};

// Index of the first 00 00 01 lying wholly in p[from, n), or n if there is none. 64-128 bytes per
// step with SSE2 or AVX2 (chosen at run time) where available.
size_t FindAnnexBStartCode(const uint8_t* p, size_t from, size_t n);

}  // namespace mkvfleet::hevc
