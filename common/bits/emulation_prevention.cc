// Emulation-prevention byte removal and insertion.
//
// Both directions only act on a byte whose two predecessors are zero. With SSE2 (every x86-64),
// 16 positions are tested at once against the bytes one and two before them and a block with
// nothing to do is copied whole; the last bytes go through the same code from a padded copy.
// Elsewhere, a byte loop.
#include "common/bits/emulation_prevention.h"

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mkvfleet::bits {
namespace {

#if defined(__SSE2__)
inline __m128i Load(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline void Store(uint8_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }

// Bit k set when p[k - 2] == 0 and p[k - 1] == 0, for k in 0..15. REQUIRES: p - 2 readable.
inline unsigned AfterTwoZeros(const uint8_t* p) {
  const __m128i both = _mm_or_si128(Load(p - 2), Load(p - 1));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(both, _mm_setzero_si128())));
}

// Removal over the block p[0, valid) (valid <= 16), writing the kept bytes at dst; returns the
// new dst. Reads p[-2, 32) and writes dst[0, 16 + valid) at most.
inline uint8_t* RemoveBlock(const uint8_t* p, size_t valid, uint8_t* dst) {
  const __m128i x = Load(p);
  unsigned drop = AfterTwoZeros(p) &
                  static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(3))));
  drop &= (1u << valid) - 1;
  Store(dst, x);
  if (drop == 0) return dst + valid;
  size_t from = 0;  // block bytes before `from` are done
  do {
    const size_t k = static_cast<size_t>(std::countr_zero(drop));
    Store(dst, Load(p + from));
    dst += k - from;
    from = k + 1;
    drop &= drop - 1;
  } while (drop != 0);
  Store(dst, Load(p + from));
  return dst + (valid - from);
}

// Insertion over the block at input index `at` (bytes p[0, valid)); `last_insert` is the input
// index the previous insertion went before. Same reads and writes as RemoveBlock, plus up to 8
// inserted bytes.
inline uint8_t* InsertBlock(const uint8_t* p, size_t at, size_t valid, size_t& last_insert,
                            uint8_t* dst) {
  const __m128i x = Load(p);
  // x <= 3 (unsigned) exactly when min(x, 3) == x.
  const __m128i small = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(3)), x);
  unsigned cand = AfterTwoZeros(p) & static_cast<unsigned>(_mm_movemask_epi8(small));
  cand &= (1u << valid) - 1;
  Store(dst, x);
  if (cand == 0) return dst + valid;
  size_t from = 0;
  do {
    const size_t k = static_cast<size_t>(std::countr_zero(cand));
    cand &= cand - 1;
    if (at + k == last_insert + 1) continue;  // the zero count restarted at that insertion
    Store(dst, Load(p + from));
    dst += k - from;
    *dst++ = 0x03;
    from = k;
    last_insert = at + k;
  } while (cand != 0);
  Store(dst, Load(p + from));
  return dst + (valid - from);
}

// The last bytes [i, n) (n - i < 32, i >= 2) with 2 bytes of history, copied into a buffer the
// blocks may read past.
struct PaddedTail {
  explicit PaddedTail(const uint8_t* src, size_t i, size_t n) {
    std::memcpy(bytes, src + i - 2, n - i + 2);
  }
  const uint8_t* data() const { return bytes + 2; }
  uint8_t bytes[2 + 32 + 32] = {};
};
#endif

}  // namespace

size_t RemoveEmulationPrevention(absl::Span<const uint8_t> escaped, uint8_t* out) {
  // A 0x03 is dropped exactly when the two input bytes before it are zero (a dropped 0x03 is
  // never one of those two), so the decision for each byte depends on the input only.
  const uint8_t* const src = escaped.data();
  const size_t n = escaped.size();
  // The first two bytes lack two predecessors.
  if (n <= 2) {
    if (n > 0) std::memcpy(out, src, n);
    return n;
  }
  std::memcpy(out, src, 2);
  uint8_t* dst = out + 2;
  size_t i = 2;
#if defined(__SSE2__)
  for (; i + 32 <= n; i += 16) dst = RemoveBlock(src + i, 16, dst);
  const PaddedTail tail(src, i, n);
  for (size_t t = 0; i + t < n; t += 16) {
    dst = RemoveBlock(tail.data() + t, std::min<size_t>(16, n - i - t), dst);
  }
#else
  for (; i < n; ++i) {
    if (src[i] == 3 && src[i - 1] == 0 && src[i - 2] == 0) continue;
    *dst++ = src[i];
  }
#endif
  return static_cast<size_t>(dst - out);
}

std::vector<uint8_t> RemoveEmulationPrevention(absl::Span<const uint8_t> escaped) {
  std::vector<uint8_t> out(escaped.size() + kEmulationPreventionSlack);
  out.resize(RemoveEmulationPrevention(escaped, out.data()));
  return out;
}

size_t AddEmulationPrevention(absl::Span<const uint8_t> rbsp, uint8_t* const begin) {
  // A 0x03 goes before byte i when bytes i-2 and i-1 are zero and byte i <= 3, counting zeros
  // only from after the previous insertion: so a candidate right after an insertion is not one.
  // At most one insertion per two bytes, plus slack for the 16-byte stores: EscapedCapacity.
  const uint8_t* const src = rbsp.data();
  const size_t n = rbsp.size();
  if (n <= 2) {
    if (n > 0) std::memcpy(begin, src, n);
    return n;
  }
  std::memcpy(begin, src, 2);
  uint8_t* dst = begin + 2;
  size_t i = 2;
  size_t last_insert = 0;  // input index the last insertion went before; 0: none yet
#if defined(__SSE2__)
  for (; i + 32 <= n; i += 16) dst = InsertBlock(src + i, i, 16, last_insert, dst);
  const PaddedTail tail(src, i, n);
  for (size_t t = 0; i + t < n; t += 16) {
    dst = InsertBlock(tail.data() + t, i + t, std::min<size_t>(16, n - i - t), last_insert, dst);
  }
#else
  for (; i < n; ++i) {
    if (src[i] <= 3 && src[i - 1] == 0 && src[i - 2] == 0 && i != last_insert + 1) {
      *dst++ = 0x03;
      last_insert = i;
    }
    *dst++ = src[i];
  }
#endif
  return static_cast<size_t>(dst - begin);
}

void AppendEmulationPrevention(absl::Span<const uint8_t> rbsp, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  out.resize(start + EscapedCapacity(rbsp.size()));
  out.resize(start + AddEmulationPrevention(rbsp, out.data() + start));
}

std::vector<uint8_t> AddEmulationPrevention(absl::Span<const uint8_t> rbsp) {
  std::vector<uint8_t> out;
  AppendEmulationPrevention(rbsp, out);
  return out;
}

}  // namespace mkvfleet::bits
