// The RPU file format shared with the reference tool: each RPU as 00 00 00 01 + the NAL 62
// payload without its 7C 01 header (escaped, starting with 0x19). Readers and writers stream, and
// a display-order writer turns per-frame RPUs met in decode order into the file's order.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/dvstream/byte_io.h"
#include "common/hevc/display_order.h"
#include "common/hevc/nal_splitter.h"
#include "common/hevc/picture_order.h"

namespace mkvfleet::dvstream {

// Rewrites one RPU payload (e.g. profile 7 -> 8.1). Plugged in by callers; this library does not
// know the RPU syntax. Returns the new payload (escaped, starting with 0x19) or an error.
using RpuTransform =
    std::function<absl::StatusOr<std::vector<uint8_t>>(absl::Span<const uint8_t> rpu_payload)>;

// Applies `transform` if set, else copies.
absl::StatusOr<std::vector<uint8_t>> ApplyTransform(const RpuTransform& transform,
                                                    absl::Span<const uint8_t> payload);

// Reads RPU payloads one by one. Not thread-safe; the source must outlive the reader.
class RpuFileReader {
 public:
  explicit RpuFileReader(ByteSource& source) : source_(source) {}
  // Replaces *payload with the next RPU. Returns false at end of file.
  // Errors: the source's; InvalidArgument if the file does not start with a start code.
  absl::StatusOr<bool> Next(std::vector<uint8_t>* payload);

 private:
  ByteSource& source_;
  hevc::NalSplitter splitter_;
  std::deque<std::vector<uint8_t>> ready_;
  bool eof_ = false;
};

// Appends RPUs to an RPU file. Call Finish() at the end.
class RpuFileWriter {
 public:
  explicit RpuFileWriter(ByteSink& sink) : out_(sink) {}
  absl::Status Write(absl::Span<const uint8_t> payload);
  absl::Status Finish() { return out_.Flush(); }
  uint64_t count() const { return count_; }

 private:
  BufferedWriter out_;
  uint64_t count_ = 0;
};

// Takes each frame's RPU in decode order with the frame's display key and writes RPUs to an RPU
// file in display order, holding at most a reorder window of them. Call Finish() at the end.
class DisplayOrderRpuWriter {
 public:
  explicit DisplayOrderRpuWriter(ByteSink& sink) : writer_(sink) {}
  // Errors: those of DisplayOrderBuffer::Push (duplicate POC, reordering too deep) and the sink.
  absl::Status Add(hevc::DisplayKey key, std::vector<uint8_t> payload);
  absl::Status Finish();
  uint64_t written() const { return writer_.count(); }

 private:
  RpuFileWriter writer_;
  hevc::DisplayOrderBuffer<std::vector<uint8_t>> order_;
};

}  // namespace mkvfleet::dvstream
