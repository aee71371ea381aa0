// BitWriter: MSB-first appends, collected in a 64-bit word and moved out a byte at a time.
#include "common/bits/bit_writer.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace mkvfleet::bits {

void BitWriter::WriteUeLong(uint64_t value) {
  const uint64_t code = value + 1;
  int len = 0;
  while ((code >> len) > 1) ++len;
  WriteBits(0, len);
  WriteBits(code, len + 1);
}

void BitWriter::Grow() const { out_.resize(std::max<size_t>(256, 2 * (size_ + 8))); }

void BitWriter::WriteBytes(absl::Span<const uint8_t> data) {
  FlushBytes();  // byte aligned: leaves nothing pending
  if (out_.size() < size_ + data.size() + 8) {
    out_.resize(std::max<size_t>(256, 2 * (size_ + data.size() + 8)));
  }
  if (!data.empty()) std::memcpy(out_.data() + size_, data.data(), data.size());
  size_ += data.size();
  bits_ += 8 * data.size();
}

namespace {

// The 8 bytes of `src` from `byte` on as a big-endian number, zeros past the end.
__attribute__((noinline)) uint64_t LoadNearEnd(absl::Span<const uint8_t> src, size_t byte) {
  uint64_t word = 0;
  for (size_t i = byte; i < src.size(); ++i) word |= uint64_t{src[i]} << (56 - 8 * (i - byte));
  return word;
}

// `n` (<= 56) bits of `src` from bit `bit` on, right-aligned. REQUIRES: bit + n <= 8 * size.
inline uint64_t BitsAt(absl::Span<const uint8_t> src, size_t bit, int n) {
  if (n == 0) return 0;
  uint64_t word;
  const size_t byte = bit >> 3;
  if (byte + 8 <= src.size()) {
    std::memcpy(&word, src.data() + byte, 8);
    if constexpr (std::endian::native == std::endian::little) word = __builtin_bswap64(word);
  } else {
    word = LoadNearEnd(src, byte);
  }
  return (word << (bit & 7)) >> (64 - n);
}

}  // namespace

void BitWriter::WriteBitsFrom(absl::Span<const uint8_t> src, size_t begin, size_t n) {
  if (n >= 64 && begin % 8 == bits_ % 8) {  // same phase: bits up to a byte boundary, then bytes
    const int head = static_cast<int>((8 - begin % 8) % 8);
    WriteBits(BitsAt(src, begin, head), head);
    begin += head;
    n -= head;
    WriteBytes(src.subspan(begin / 8, n / 8));
    begin += n / 8 * 8;
    WriteBits(BitsAt(src, begin, static_cast<int>(n % 8)), static_cast<int>(n % 8));
    return;
  }
  if (n >= 64) {
    // Output word by word: after a flush d < 8 bits are pending, and output bit t of the run
    // that starts with them is source bit begin + t - d (t >= d). Each step stores the 8 bytes
    // of output bits [t, t + 64) and keeps 7 of them; the 8th is rewritten by the next step.
    FlushBytes();
    const size_t need = size_ + n / 8 + 16;
    if (out_.size() < need) out_.resize(std::max<size_t>(256, 2 * need));
    const int d = pending_bits_;
    const size_t total = d + n;
    auto store = [&](uint64_t word) {
      if constexpr (std::endian::native == std::endian::little) word = __builtin_bswap64(word);
      std::memcpy(out_.data() + size_, &word, 8);
      size_ += 7;
    };
    store((d == 0 ? 0 : pending_ << (64 - d)) | (BitsAt(src, begin, 56) << 8 >> d));
    size_t t = 56;
    for (; t + 56 <= total; t += 56) store(BitsAt(src, begin + t - d, 56) << 8);
    pending_ = 0;
    pending_bits_ = 0;
    bits_ += t - d;
    begin += t - d;
    n = total - t;
  }
  while (n > 0) {
    const int k = static_cast<int>(std::min<size_t>(n, 56));
    WriteBits(BitsAt(src, begin, k), k);
    begin += k;
    n -= k;
  }
}

const std::vector<uint8_t>& BitWriter::bytes() const {
  FlushBytes();
  out_.resize(size_);
  if (pending_bits_ > 0) out_.push_back(static_cast<uint8_t>(pending_ << (8 - pending_bits_)));
  return out_;
}

std::vector<uint8_t> BitWriter::Take() {
  bytes();
  std::vector<uint8_t> result = std::move(out_);
  out_.clear();
  size_ = 0;
  pending_ = 0;
  pending_bits_ = 0;
  bits_ = 0;
  return result;
}

}  // namespace mkvfleet::bits
