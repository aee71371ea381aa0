// Emulation-prevention byte removal and insertion.
//
// Both directions only act right after two zero bytes, so both jump from one pair of zero bytes
// to the next: eight bytes are tested at a time for two adjacent zero bytes, and the runs in
// between are copied whole.
#include "common/bits/emulation_prevention.h"

#include <bit>
#include <cstring>

namespace mkvfleet::bits {
namespace {

constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;

// The smallest z >= from with p[z] == 0 and p[z + 1] == 0 and z + 2 < n, or n when there is
// none. (A pair whose third byte would lie past the end never matters to either direction.)
size_t NextZeroPair(const uint8_t* p, size_t from, size_t n) {
  if (n < 3) return n;
  const size_t last = n - 3;  // largest useful z
  size_t z = from;
  // Eight bytes at a time: bit 7 of each byte of `zero` is set exactly when that byte is zero
  // (exact, no carries across bytes); a pair is a zero byte followed by a zero byte. A word
  // tests the pairs starting at its first seven bytes, so words overlap by one byte.
  while (z + 8 <= n) {
    uint64_t w;
    std::memcpy(&w, p + z, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    const uint64_t zero = ~(((w & kLow7) + kLow7) | w | kLow7);
    const uint64_t pair = zero & (zero >> 8);  // byte j and byte j + 1 zero, j in 0..6
    if (pair != 0) {
      const size_t found = z + static_cast<size_t>(std::countr_zero(pair) / 8);
      return found <= last ? found : n;
    }
    z += 7;
  }
  for (; z <= last; ++z) {
    if (p[z] == 0 && p[z + 1] == 0) return z;
  }
  return n;
}

}  // namespace

size_t RemoveEmulationPrevention(absl::Span<const uint8_t> escaped, uint8_t* out) {
  // A 0x03 is dropped exactly when the two input bytes before it are zero (a dropped 0x03 is
  // never one of those two).
  const uint8_t* const src = escaped.data();
  const size_t n = escaped.size();
  uint8_t* dst = out;
  size_t copied = 0;  // input bytes [0, copied) are handled
  size_t from = 0;
  while (true) {
    const size_t z = NextZeroPair(src, from, n);
    if (z >= n) break;
    if (src[z + 2] == 0x03) {
      std::memcpy(dst, src + copied, z + 2 - copied);
      dst += z + 2 - copied;
      copied = z + 3;
      from = z + 3;
    } else {
      from = z + 1;
    }
  }
  if (copied < n) {
    std::memcpy(dst, src + copied, n - copied);
    dst += n - copied;
  }
  return static_cast<size_t>(dst - out);
}

std::vector<uint8_t> RemoveEmulationPrevention(absl::Span<const uint8_t> escaped) {
  std::vector<uint8_t> out(escaped.size());
  out.resize(RemoveEmulationPrevention(escaped, out.data()));
  return out;
}

void AppendEmulationPrevention(absl::Span<const uint8_t> rbsp, std::vector<uint8_t>& out) {
  // A 0x03 goes before byte i when bytes i-2 and i-1 are zero and byte i <= 3, counting zeros
  // only from after the previous insertion.
  const size_t start = out.size();
  out.resize(start + rbsp.size() + rbsp.size() / 2 + 1);  // at most one per two bytes
  const uint8_t* const src = rbsp.data();
  const size_t n = rbsp.size();
  uint8_t* const begin = out.data() + start;
  uint8_t* dst = begin;
  size_t copied = 0;  // input bytes [0, copied) are in `out`
  size_t from = 0;
  while (true) {
    const size_t z = NextZeroPair(src, from, n);
    if (z >= n) break;
    if (src[z + 2] <= 0x03) {
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
  out.resize(start + static_cast<size_t>(dst - begin));
}

std::vector<uint8_t> AddEmulationPrevention(absl::Span<const uint8_t> rbsp) {
  std::vector<uint8_t> out;
  AppendEmulationPrevention(rbsp, out);
  return out;
}

}  // namespace mkvfleet::bits
