// CRC-32/MPEG-2: carry-less multiplication (PCLMULQDQ, chosen at run time) folds 16 bytes per
// step (four chains at once from 64 bytes); a slicing-by-8 table does short inputs, the last bytes, and CPUs without PCLMULQDQ.
#include "common/dovi/crc32.h"

#include <array>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MKVFLEET_HAVE_CLMUL_CRC 1
#endif

namespace mkvfleet::dovi {
namespace {

constexpr uint32_t kPoly = 0x04C11DB7u;

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i << 24;
    for (int k = 0; k < 8; ++k) c = (c & 0x80000000u) ? (c << 1) ^ kPoly : (c << 1);
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] << 8) ^ t[0][t[s - 1][i] >> 24];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

// The table CRC of `n` bytes at `p` continuing from `crc`.
uint32_t TableCrc(uint32_t crc, const uint8_t* p, size_t n) {
  while (n >= 8) {
    crc ^= (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    crc = kTables[7][crc >> 24] ^ kTables[6][(crc >> 16) & 0xFF] ^ kTables[5][(crc >> 8) & 0xFF] ^
          kTables[4][crc & 0xFF] ^ kTables[3][p[4]] ^ kTables[2][p[5]] ^ kTables[1][p[6]] ^
          kTables[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc << 8) ^ kTables[0][(crc >> 24) ^ *p++];
  return crc;
}

#if defined(MKVFLEET_HAVE_CLMUL_CRC)
// x^n mod P, the polynomial as a 32-bit number (bit i = coefficient of x^i).
constexpr uint64_t XPowModP(int n) {
  uint64_t r = 1;
  for (int i = 0; i < n; ++i) {
    r <<= 1;
    if (r & (uint64_t{1} << 32)) r ^= (uint64_t{1} << 32) | kPoly;
  }
  return r;
}

// x^64 div P (33 bits), for Barrett reduction.
constexpr uint64_t XPow64DivP() {
  // Long division of x^64 by P, the remainder kept as bits [0, 64) of x^64 minus subtractions:
  // only the quotient is needed, and bit 64 is handled as the first step.
  uint64_t rem = 0;  // the running remainder's bits below x^64
  bool top = true;   // its x^64 bit
  uint64_t q = 0;
  for (int shift = 32; shift >= 0; --shift) {
    const bool lead = shift == 32 ? top : ((rem >> (32 + shift)) & 1) != 0;
    if (lead) {
      if (shift < 32) rem ^= uint64_t{1} << (32 + shift);
      rem ^= uint64_t{kPoly} << shift;
      q |= uint64_t{1} << shift;
    }
  }
  return q;
}
constexpr uint64_t kMu = XPow64DivP();
static_assert(kMu == 0x104D101DFull);

// With the message as a polynomial M (first byte's top bit the highest power) and the init
// value xored into its first four bytes, the CRC is M * x^32 mod P. Reading the message in
// 16-byte blocks B0, B1, ... (each a 128-bit polynomial), acc = B0, then acc = acc * x^128 + Bi
// keeps acc congruent mod P to the prefix read; acc * x^128 = hi * x^192 + lo * x^128 is
// reduced to 96 bits by multiplying the 64-bit halves by x^192 mod P and x^128 mod P. The table
// CRC (init 0) of acc's 16 bytes followed by the remaining bytes is then the CRC of the message.
__attribute__((target("pclmul,ssse3"))) uint32_t ClmulCrc(const uint8_t* p, size_t n) {
  const __m128i reverse = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m128i k = _mm_set_epi64x(static_cast<long long>(XPowModP(192)),
                                   static_cast<long long>(XPowModP(128)));
  auto load = [&](const uint8_t* at) __attribute__((target("pclmul,ssse3"))) {
    return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(at)), reverse);
  };
  // a * x^128 + b, reduced as above with the constants `kk`.
  auto fold = [](__m128i a, __m128i kk, __m128i b) __attribute__((target("pclmul,ssse3"))) {
    const __m128i hi = _mm_clmulepi64_si128(a, kk, 0x11);  // a[127:64] * (x^(m+64) mod P)
    const __m128i lo = _mm_clmulepi64_si128(a, kk, 0x00);  // a[63:0] * (x^m mod P)
    return _mm_xor_si128(_mm_xor_si128(hi, lo), b);
  };
  const __m128i init = _mm_set_epi32(-1, 0, 0, 0);  // 0xFFFFFFFF into the first four bytes
  __m128i acc;
  if (n >= 64) {
    // Four independent chains 64 bytes apart (folded by x^512), so the multiplier's latency
    // overlaps; then chained into one.
    const __m128i k4 = _mm_set_epi64x(static_cast<long long>(XPowModP(576)),
                                      static_cast<long long>(XPowModP(512)));
    __m128i a0 = _mm_xor_si128(load(p), init);
    __m128i a1 = load(p + 16);
    __m128i a2 = load(p + 32);
    __m128i a3 = load(p + 48);
    p += 64;
    n -= 64;
    while (n >= 64) {
      a0 = fold(a0, k4, load(p));
      a1 = fold(a1, k4, load(p + 16));
      a2 = fold(a2, k4, load(p + 32));
      a3 = fold(a3, k4, load(p + 48));
      p += 64;
      n -= 64;
    }
    acc = fold(fold(fold(a0, k, a1), k, a2), k, a3);
  } else {
    acc = _mm_xor_si128(load(p), init);
    p += 16;
    n -= 16;
  }
  while (n >= 16) {
    acc = fold(acc, k, load(p));
    p += 16;
    n -= 16;
  }
  // The CRC of acc's 16 bytes alone, (acc * x^32) mod P: with acc = H * x^64 + L, fold H by
  // x^96 mod P next to L * x^32 (96 bits), fold the top 32 bits by x^64 mod P (64 bits), then
  // Barrett reduction with mu = x^64 div P. The last bytes continue from it by table.
  const __m128i kr = _mm_set_epi64x(static_cast<long long>(XPowModP(64)),
                                    static_cast<long long>(XPowModP(96)));
  const __m128i barrett = _mm_set_epi64x(static_cast<long long>((uint64_t{1} << 32) | kPoly),
                                         static_cast<long long>(kMu));
  const __m128i t = _mm_xor_si128(_mm_clmulepi64_si128(acc, kr, 0x01),
                                  _mm_slli_si128(_mm_move_epi64(acc), 4));
  const __m128i u = _mm_xor_si128(_mm_clmulepi64_si128(t, kr, 0x11), _mm_move_epi64(t));
  const __m128i t1 = _mm_clmulepi64_si128(_mm_srli_epi64(u, 32), barrett, 0x00);
  const __m128i t2 = _mm_clmulepi64_si128(_mm_srli_epi64(t1, 32), barrett, 0x10);
  const uint32_t crc = static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_xor_si128(u, t2)));
  return TableCrc(crc, p, n);
}

const bool kHaveClmul = [] {
  __builtin_cpu_init();  // may run before libgcc's own constructor
  return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
}();
#endif

}  // namespace

uint32_t Crc32Mpeg2(absl::Span<const uint8_t> data) {
#if defined(MKVFLEET_HAVE_CLMUL_CRC)
  if (data.size() >= 32 && kHaveClmul) return ClmulCrc(data.data(), data.size());
#endif
  return TableCrc(0xFFFFFFFFu, data.data(), data.size());
}

uint32_t Crc32Mpeg2Table(absl::Span<const uint8_t> data) {
  return TableCrc(0xFFFFFFFFu, data.data(), data.size());
}

}  // namespace mkvfleet::dovi
