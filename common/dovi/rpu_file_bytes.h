// The RPU file format of the reference tools and of our samples: each RPU payload preceded by
// the 4-byte start code 00 00 00 01. Splitting and appending, on byte buffers only.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::dovi {

// Splits `file` at every 00 00 00 01 into RPU payloads (views into `file`, which must outlive
// them). Returns InvalidArgument when the buffer does not start with a start code or a payload is
// empty; an empty buffer gives an empty list. Payloads are not parsed.
absl::StatusOr<std::vector<absl::Span<const uint8_t>>> ParseRpuFile(absl::Span<const uint8_t> file);

// Appends 00 00 00 01 and `payload` (an escaped RPU payload, as WriteRpu returns) to `file`.
void AppendRpuToFile(std::vector<uint8_t>& file, absl::Span<const uint8_t> payload);

}  // namespace mkvfleet::dovi
