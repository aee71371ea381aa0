// NalScanner: start codes found 64-128 bytes per step (SSE2, AVX2 when the CPU has it) in the
// caller's chunk; only heads (and the NALs kept whole) are copied.
#include "common/hevc/nal_scanner.h"

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"

#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mkvfleet::hevc {

namespace {

// The scans below test 64 positions j at a time for p[j + 1] == 0 && p[j + 2] == 1 (two loads),
// then check p[j] == 0 for the rare candidates. They return the first start code at or after i
// whose 64-byte block lies wholly before `end` (= n - 2), and advance i past the blocks seen.

// First j in the candidate mask `m` (bit k: position i + k) with p[j] == 0, or SIZE_MAX.
inline size_t FirstConfirmed(const uint8_t* p, size_t i, uint64_t m) {
  while (m != 0) {
    const size_t j = i + static_cast<size_t>(std::countr_zero(m));
    if (p[j] == 0) return j;
    m &= m - 1;
  }
  return SIZE_MAX;
}

#if defined(__SSE2__)
size_t ScanSse2(const uint8_t* p, size_t& i, size_t n) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i one = _mm_set1_epi8(1);
  auto candidates = [&](size_t at) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at + 1));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at + 2));
    return _mm_cmpeq_epi8(_mm_or_si128(b, _mm_xor_si128(c, one)), zero);
  };
  for (; i + 66 <= n; i += 64) {
    const __m128i m0 = candidates(i);
    const __m128i m1 = candidates(i + 16);
    const __m128i m2 = candidates(i + 32);
    const __m128i m3 = candidates(i + 48);
    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(m0, m1), _mm_or_si128(m2, m3))) == 0) continue;
    const uint64_t m = static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(m0))) |
                       static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(m1))) << 16 |
                       static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(m2))) << 32 |
                       static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(m3))) << 48;
    if (const size_t j = FirstConfirmed(p, i, m); j != SIZE_MAX) return j;
  }
  return SIZE_MAX;
}
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MKVFLEET_HAVE_AVX2_SCAN 1
__attribute__((target("avx2"))) size_t ScanAvx2(const uint8_t* p, size_t& i, size_t n) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i one = _mm256_set1_epi8(1);
  auto candidates = [&](size_t at) __attribute__((target("avx2"))) {
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + at + 1));
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + at + 2));
    return _mm256_cmpeq_epi8(_mm256_or_si256(b, _mm256_xor_si256(c, one)), zero);
  };
  for (; i + 130 <= n; i += 128) {
    const __m256i m0 = candidates(i);
    const __m256i m1 = candidates(i + 32);
    const __m256i m2 = candidates(i + 64);
    const __m256i m3 = candidates(i + 96);
    const __m256i any = _mm256_or_si256(_mm256_or_si256(m0, m1), _mm256_or_si256(m2, m3));
    if (_mm256_testz_si256(any, any)) continue;
    const uint64_t lo = static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(m0))) |
                        static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(m1))) << 32;
    if (const size_t j = FirstConfirmed(p, i, lo); j != SIZE_MAX) return j;
    const uint64_t hi = static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(m2))) |
                        static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(m3))) << 32;
    if (const size_t j = FirstConfirmed(p, i + 64, hi); j != SIZE_MAX) return j;
  }
  return SIZE_MAX;
}

const bool kHaveAvx2 = [] {
  __builtin_cpu_init();  // may run before libgcc's own constructor
  return __builtin_cpu_supports("avx2") != 0;
}();
#endif

}  // namespace

size_t FindAnnexBStartCode(const uint8_t* p, size_t from, size_t n) {
  size_t i = from;
#if defined(MKVFLEET_HAVE_AVX2_SCAN)
  if (kHaveAvx2) {
    if (const size_t j = ScanAvx2(p, i, n); j != SIZE_MAX) return j;
  }
#endif
#if defined(__SSE2__)
  if (const size_t j = ScanSse2(p, i, n); j != SIZE_MAX) return j;
#endif
  for (; i + 3 <= n; ++i) {
    if (p[i + 2] <= 1 && p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1) return i;
  }
  return n;
}

absl::Status NalScanner::Append(const uint8_t* p, size_t n) {
  if (n == 0) return absl::OkStatus();
  size_t zeros = 0;
  while (zeros < n && p[n - 1 - zeros] == 0) ++zeros;
  zero_run_ = zeros == n ? zero_run_ + n : zeros;
  size_ += n;
  if (!in_nal_) {
    if (zeros != n) {
      return absl::InvalidArgumentError(
          absl::StrCat("stream does not begin with an Annex B start code (a non-zero byte before ",
                       "stream offset ", consumed_, ")"));
    }
    return absl::OkStatus();
  }
  size_t kept = 0;
  if (head_.size() < kHeadBytes) {
    const bool first = head_.empty();
    kept = std::min(n, kHeadBytes - head_.size());
    head_.insert(head_.end(), p, p + kept);
    if (first) whole_ = (whole_types_ >> ((head_[0] >> 1) & 0x3F)) & 1;
  }
  if (whole_ && kept < n) {
    if (head_.size() + (n - kept) > max_nal_size_) {
      return absl::ResourceExhaustedError(absl::StrCat("NAL unit before stream offset ", consumed_,
                                                       " is larger than ", max_nal_size_,
                                                       " bytes; not an HEVC Annex B stream?"));
    }
    head_.insert(head_.end(), p + kept, p + n);
  }
  return absl::OkStatus();
}

absl::Status NalScanner::EndNal(uint64_t offset, Sink sink) {
  absl::Status st;
  if (in_nal_) {
    const uint64_t size = size_ - zero_run_;  // without trailing_zero_8bits and a zero_byte
    if (size == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty NAL unit (two start codes in a row) before stream offset ", offset));
    }
    if (head_.size() > size) head_.resize(size);
    st = sink(ScannedNal{head_, size});
  }
  in_nal_ = true;
  head_.clear();
  size_ = 0;
  zero_run_ = 0;
  whole_ = false;
  return st;
}

absl::Status NalScanner::Feed(absl::Span<const uint8_t> chunk, Sink sink) {
  const uint8_t* c = chunk.data();
  const size_t n = chunk.size();
  const uint64_t base = consumed_;
  size_t pos = 0;
  absl::Status st;
  // A start code whose zeros were in earlier chunks.
  if (n >= 1 && zero_run_ >= 2 && c[0] == 1) {
    st = EndNal(base, sink);
    pos = 1;
  } else if (n >= 2 && zero_run_ >= 1 && c[0] == 0 && c[1] == 1) {
    st = EndNal(base, sink);
    pos = 2;
  }
  while (st.ok()) {
    const size_t k = FindAnnexBStartCode(c, pos, n);
    if (k == n) {
      st = Append(c + pos, n - pos);
      break;
    }
    st = Append(c + pos, k - pos);
    if (st.ok()) st = EndNal(base + k, sink);
    pos = k + 3;
  }
  consumed_ = base + n;
  return st;
}

absl::Status NalScanner::Finish(Sink sink) {
  absl::Status st;
  if (in_nal_) st = EndNal(consumed_, sink);
  in_nal_ = false;
  head_.clear();
  size_ = 0;
  zero_run_ = 0;
  whole_ = false;
  consumed_ = 0;
  return st;
}

}  // namespace mkvfleet::hevc
