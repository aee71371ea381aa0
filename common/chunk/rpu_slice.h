// The per-chunk RPU files and their hashes: x265 takes one RPU per frame it is given, in input
// order, and never skips any (chunking.md §4), so each chunk gets exactly the RPUs of its frames,
// and the manifest records a SHA-256 of every RPU file so agents and the assembler can check them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::chunk {

// The RPU file (each payload preceded by 00 00 00 01, see dovi/rpu_file_bytes.h) holding the
// payloads of frames [first, first + frames), in order. `payloads` holds one RPU per frame of the
// title, in display order.
// Errors: OutOfRange naming the range and the RPU count when first < 0, frames < 1 or the range
// ends past the last RPU.
absl::StatusOr<std::vector<uint8_t>> SliceRpus(absl::Span<const absl::Span<const uint8_t>> payloads,
                                               int64_t first, int64_t frames);

// SHA-256 of `bytes` (e.g. a whole RPU file) as 64 lowercase hex digits.
// Errors: Internal if OpenSSL fails to compute the digest.
absl::StatusOr<std::string> Sha256Hex(absl::Span<const uint8_t> bytes);

}  // namespace mkvfleet::chunk
