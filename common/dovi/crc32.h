// CRC-32/MPEG-2, the checksum every Dolby Vision RPU carries over its unescaped body.
#pragma once

#include <cstdint>

#include "absl/types/span.h"

namespace mkvfleet::dovi {

// CRC-32/MPEG-2 (poly 0x04C11DB7, init 0xFFFFFFFF, no reflection, no final xor) of `data`.
// Pure and thread-safe. Crc32Mpeg2("123456789") == 0x0376E6E7.
uint32_t Crc32Mpeg2(absl::Span<const uint8_t> data);
// The same with the portable table method only (for tests and benchmarks).
uint32_t Crc32Mpeg2Table(absl::Span<const uint8_t> data);

}  // namespace mkvfleet::dovi
