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
  // A 0x03 goes before byte i when bytes i-2 and i-1 are zero and byte i <= 3, counting zeros
  // only from after the previous insertion. So: jump from zero byte to zero byte.
  std::vector<uint8_t> out(rbsp.size() + rbsp.size() / 2 + 1);  // at most one per two bytes
  const uint8_t* const src = rbsp.data();
  const size_t n = rbsp.size();
  uint8_t* dst = out.data();
  size_t copied = 0;  // input bytes [0, copied) are in `out`
  size_t from = 0;
  while (from + 2 < n) {
    const void* hit = std::memchr(src + from, 0, n - 2 - from);
    if (hit == nullptr) break;
    const size_t z = static_cast<size_t>(static_cast<const uint8_t*>(hit) - src);
    if (src[z + 1] == 0 && src[z + 2] <= 0x03) {
      std::memcpy(dst, src + copied, z + 2 - copied);
      dst += z + 2 - copied;
      *dst++ = 0x03;
      copied = z + 2;
      from = z + 2;
    } else {
      from = z + 1;
    }
  }
  if (copied < n) {
    std::memcpy(dst, src + copied, n - copied);
    dst += n - copied;
  }
  out.resize(static_cast<size_t>(dst - out.data()));
  return out;
}

}  // namespace mkvfleet::bits
