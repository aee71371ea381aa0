// Emulation-prevention byte removal and insertion.
#include "common/bits/emulation_prevention.h"

#include <cstring>

namespace mkvfleet::bits {

std::vector<uint8_t> RemoveEmulationPrevention(absl::Span<const uint8_t> escaped) {
  // A 0x03 is dropped exactly when the two input bytes before it are zero (a dropped 0x03 is
  // never one of those two), so runs between candidate 0x03 bytes are copied whole.
  std::vector<uint8_t> out(escaped.size());
  const uint8_t* const src = escaped.data();
  const size_t n = escaped.size();
  uint8_t* dst = out.data();
  size_t copied = 0;  // input bytes [0, copied) are handled
  size_t from = 2;
  while (from < n) {
    const void* hit = std::memchr(src + from, 0x03, n - from);
    if (hit == nullptr) break;
    const size_t i = static_cast<size_t>(static_cast<const uint8_t*>(hit) - src);
    if (src[i - 1] == 0 && src[i - 2] == 0) {
      std::memcpy(dst, src + copied, i - copied);
      dst += i - copied;
      copied = i + 1;
    }
    from = i + 1;
  }
  if (copied < n) {
    std::memcpy(dst, src + copied, n - copied);
    dst += n - copied;
  }
  out.resize(static_cast<size_t>(dst - out.data()));
  return out;
}

std::vector<uint8_t> AddEmulationPrevention(absl::Span<const uint8_t> rbsp) {
  // At most one 0x03 per two input bytes.
  std::vector<uint8_t> out(rbsp.size() + rbsp.size() / 2 + 1);
  const uint8_t* const src = rbsp.data();
  const size_t n = rbsp.size();
  uint8_t* dst = out.data();
  int zeros = 0;
  size_t i = 0;
  while (i < n) {
    // Fast path: 8 bytes without a zero byte cannot need escaping (and end any zero run).
    if (zeros == 0 && i + 8 <= n) {
      uint64_t v;
      std::memcpy(&v, src + i, 8);
      if (((v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull) == 0) {
        std::memcpy(dst, src + i, 8);
        dst += 8;
        i += 8;
        continue;
      }
    }
    const uint8_t b = src[i++];
    if (zeros >= 2 && b <= 0x03) {
      *dst++ = 0x03;
      zeros = 0;
    }
    *dst++ = b;
    zeros = (b == 0) ? zeros + 1 : 0;
  }
  out.resize(static_cast<size_t>(dst - out.data()));
  return out;
}

}  // namespace mkvfleet::bits
