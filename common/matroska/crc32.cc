// CRC-32 of EBML (see crc32.h): table-driven, eight bytes a step ("slicing by 8").
#include "common/matroska/crc32.h"

#include <array>
#include <bit>
#include <cstring>

#include "common/matroska/ebml.h"

namespace mkvfleet::matroska {
namespace {

constexpr uint32_t kPolynomial = 0xEDB88320;  // 0x04C11DB7 reflected

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

}  // namespace

uint32_t Crc32(absl::Span<const uint8_t> data, uint32_t crc) {
  uint32_t c = ~crc;
  const uint8_t* p = data.data();
  size_t n = data.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint32_t lo = 0;
    uint32_t hi = 0;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    if constexpr (std::endian::native == std::endian::big) {
      lo = __builtin_bswap32(lo);
      hi = __builtin_bswap32(hi);
    }
    lo ^= c;
    c = kTables[7][lo & 0xFF] ^ kTables[6][(lo >> 8) & 0xFF] ^ kTables[5][(lo >> 16) & 0xFF] ^
        kTables[4][lo >> 24] ^ kTables[3][hi & 0xFF] ^ kTables[2][(hi >> 8) & 0xFF] ^
        kTables[1][(hi >> 16) & 0xFF] ^ kTables[0][hi >> 24];
  }
  for (; n > 0; ++p, --n) c = (c >> 8) ^ kTables[0][(c ^ *p) & 0xFF];
  return ~c;
}

bool SplitLeadingCrc32(absl::Span<const uint8_t> data, absl::Span<const uint8_t>& rest) {
  absl::StatusOr<ElementHeader> h = ParseElementHeader(data);
  if (!h.ok() || h->id != kIdCrc32 || h->unknown_size || h->data_size != 4 ||
      data.size() < static_cast<size_t>(h->header_size) + 4) {
    return false;
  }
  rest = data.subspan(h->header_size + 4);
  return true;
}

void AppendCrc32Element(std::vector<uint8_t>& out, uint32_t crc, int size_width) {
  AppendId(out, kIdCrc32);
  AppendSize(out, 4, size_width > 0 ? size_width : 1);
  out.resize(out.size() + 4);
  StoreCrc32(out.data() + out.size(), crc);
}

void StoreCrc32(uint8_t* value_end, uint32_t crc) {
  for (int i = 0; i < 4; ++i) value_end[i - 4] = static_cast<uint8_t>(crc >> (8 * i));
}

}  // namespace mkvfleet::matroska
