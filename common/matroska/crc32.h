// EBML's CRC-32 element: the IEEE 802.3 CRC (reflected, the one zlib computes) of every byte of
// its parent master element after it, stored little-endian as the parent's first child. A
// lossless rewrite that edits an element carrying one must restate it; these are the pieces.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace mkvfleet::matroska {

// The CRC of `data`, continuing from `crc` (the CRC of what came before; 0 to start), so
// Crc32(b, Crc32(a)) == Crc32(a followed by b).
uint32_t Crc32(absl::Span<const uint8_t> data, uint32_t crc = 0);

// Whether the master element data `data` starts with a CRC-32 element of 4 bytes; if so, `rest`
// is what follows it (what the CRC covers).
bool SplitLeadingCrc32(absl::Span<const uint8_t> data, absl::Span<const uint8_t>& rest);

// Appends a CRC-32 element holding `crc`: ID, a `size_width`-byte size (1 when 0) and 4 bytes.
void AppendCrc32Element(std::vector<uint8_t>& out, uint32_t crc, int size_width = 1);
// Overwrites the 4 value bytes of a CRC-32 element that ends at `value_end`.
void StoreCrc32(uint8_t* value_end, uint32_t crc);

}  // namespace mkvfleet::matroska
