// Pulls access units out of an Annex B byte source, one at a time, so operations that walk two
// streams in lockstep (mux) or one stream twice (inject) read with flat memory.
#pragma once

#include <deque>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dvstream/byte_io.h"
#include "common/hevc/access_unit.h"
#include "common/hevc/nal_splitter.h"
#include "common/hevc/picture_order.h"

namespace mkvfleet::dvstream {

// Reads access units in stream (decode) order. Holds the NAL being split and the units completed
// by the current chunk. Not thread-safe; the source must outlive the reader.
class AccessUnitReader {
 public:
  explicit AccessUnitReader(ByteSource& source) : source_(source) {}

  // Replaces *au with the next access unit. Returns false at end of stream.
  // Errors: the source's, or the splitter's (garbage before the first start code, a NAL over
  // the size limit, empty NALs).
  absl::StatusOr<bool> Next(hevc::AccessUnit* au);

  // Access units returned so far.
  uint64_t count() const { return count_; }

 private:
  absl::Status Fill();
  hevc::AccessUnit TakeSpare();
  void Recycle(hevc::AccessUnit au);

  ByteSource& source_;
  hevc::NalSplitter splitter_;
  hevc::AccessUnitAssembler assembler_;
  std::deque<hevc::AccessUnit> ready_;
  std::vector<hevc::AccessUnit> spare_;  // finished units kept for their buffers
  absl::Span<const uint8_t> pending_;    // rest of the source's last chunk
  bool eof_ = false;
  uint64_t count_ = 0;
};

// Runs the analyzer over one access unit (index `au_index`, for error messages: "access unit 12:
// slice refers to PPS 3 which has not been seen").
absl::StatusOr<hevc::FrameInfo> AnalyzeAccessUnit(hevc::FrameOrderAnalyzer& analyzer,
                                                  const hevc::AccessUnit& au, uint64_t au_index);

// Prefixes a status message with the access unit it concerns.
absl::Status AtAccessUnit(const absl::Status& st, uint64_t au_index);

}  // namespace mkvfleet::dvstream
