// Writes NALs as an Annex B stream with the start-code style an operation asks for, including the
// Dolby Vision framings: EL NALs wrapped in type 63 and RPUs in type 62.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/dvstream/byte_io.h"
#include "common/hevc/start_code.h"

namespace mkvfleet::dvstream {

// Buffers output and hands it to the sink in large blocks. Call Finish() at the end; bytes
// written after an error are unspecified. Not thread-safe.
class AnnexBWriter {
 public:
  AnnexBWriter(ByteSink& sink, hevc::StartCodeStyle style) : out_(sink), style_(style) {}

  // The next NAL is the first of an access unit (matters for the Annex B style).
  void BeginAccessUnit() { first_in_au_ = true; }
  // A NAL as is (header first, escaped). REQUIRES: !nal.empty().
  absl::Status Write(absl::Span<const uint8_t> nal);
  // An enhancement-layer NAL wrapped whole: 7E 01 + nal.
  absl::Status WriteWrappedEl(absl::Span<const uint8_t> nal);
  // An RPU NAL: 7C 01 + payload.
  absl::Status WriteRpu(absl::Span<const uint8_t> payload);
  // Flushes everything to the sink.
  absl::Status Finish() { return out_.Flush(); }

 private:
  absl::Status Put(uint8_t type, absl::Span<const uint8_t> prefix, absl::Span<const uint8_t> nal);

  BufferedWriter out_;
  hevc::StartCodeStyle style_;
  bool first_in_au_ = true;
};

}  // namespace mkvfleet::dvstream
