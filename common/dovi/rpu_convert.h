// Profile conversions of an RPU (the core of turning profile 7 into 8.1), with the semantics of
// the reference tool's modes so that its expected outputs are reproduced byte for byte.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/dovi/rpu.h"

namespace mkvfleet::dovi {

// Conversion modes, numbered as the reference tool numbers them.
enum class ConversionMode {
  // Leave the RPU as it is (writing it back still re-escapes and recomputes the CRC).
  kRewrite = 0,
  // Profile 7/8 to profile 7 MEL: the NLQ residual made neutral (added for profile 8).
  kToMel = 1,
  // Profile 5/7/8 to 8.1: no residual, no NLQ, BT.2020 matrices. For a FEL (and for profile 5)
  // the luma/chroma mapping becomes the identity; a MEL keeps its mapping. DM blocks unchanged.
  kTo81 = 2,
  // Any profile to 8.4: the 8.1 changes, then the canonical 8.4 header and mapping.
  kTo84 = 4,
  // Profile 7/8 to 8.1 keeping the mapping even for a FEL.
  kTo81KeepMapping = 5,
};

// Converts `rpu` in place. Returns InvalidArgument naming the mode and profile when the mode does
// not apply (e.g. mode 1 on profile 5) or the mode is unknown; `rpu` is then unchanged.
absl::Status ConvertRpu(Rpu& rpu, ConversionMode mode);

// Parses an escaped RPU payload, converts it and writes it back: what stream code calls once per
// frame. Errors are those of ParseRpu, ConvertRpu and WriteRpu. Thread-safe.
absl::StatusOr<std::vector<uint8_t>> ConvertRpuPayload(absl::Span<const uint8_t> payload,
                                                       ConversionMode mode);
// The same into `out`, whose contents are replaced (its capacity is reused, so a caller that
// keeps one buffer per thread does not allocate per RPU). On error `out` is unspecified.
absl::Status ConvertRpuPayload(absl::Span<const uint8_t> payload, ConversionMode mode,
                               std::vector<uint8_t>& out);

}  // namespace mkvfleet::dovi
