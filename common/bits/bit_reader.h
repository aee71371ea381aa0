// MSB-first bit reader over an RBSP (emulation-prevention bytes already removed), with the
// Exp-Golomb codes of H.265 and Dolby Vision RPUs. Shared by the HEVC and RPU parsers.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mkvfleet::bits {

// Reads bits from a borrowed buffer. Reading past the end never crashes: it yields zeros and
// latches an error, so a parser can read a whole structure and check ok() once. The buffer must
// outlive the reader. Not thread-safe.
class BitReader {
 public:
  explicit BitReader(absl::Span<const uint8_t> data) : data_(data) {}

  // Reads n bits (0..64) as an unsigned number, most significant bit first.
  uint64_t ReadBits(int n) {
    if (n > 0 && n <= 56 && (pos_ >> 3) + 8 <= data_.size()) {  // fast path: one 8-byte load
      const uint64_t word = Load64(pos_ >> 3) << (pos_ & 7);
      pos_ += n;
      return word >> (64 - n);
    }
    return ReadBitsSlow(n);
  }
  bool ReadFlag() { return ReadBits(1) != 0; }
  // ue(v): unsigned Exp-Golomb. More than 32 leading zeros is an error.
  uint64_t ReadUe() {
    if ((pos_ >> 3) + 8 <= data_.size()) {  // fast path: the code fits in the next 57 bits
      const uint64_t word = Load64(pos_ >> 3) << (pos_ & 7);
      const int zeros = std::countl_zero(word);
      if (zeros <= 28) {
        const int len = 2 * zeros + 1;
        pos_ += len;
        return (word >> (64 - len)) - 1;
      }
    }
    return ReadUeSlow();
  }
  // se(v): signed Exp-Golomb.
  int64_t ReadSe() {
    const uint64_t k = ReadUe();
    return (k & 1) ? static_cast<int64_t>((k + 1) / 2) : -static_cast<int64_t>(k / 2);
  }
  // Skips n bits.
  void Skip(size_t n);

  size_t position() const { return pos_; }           // bits consumed
  absl::Span<const uint8_t> data() const { return data_; }  // the buffer read from
  size_t size_bits() const { return data_.size() * 8; }
  size_t bits_left() const { return pos_ >= size_bits() ? 0 : size_bits() - pos_; }
  bool byte_aligned() const { return pos_ % 8 == 0; }
  // True until a read ran past the end or an Exp-Golomb code was malformed.
  bool ok() const { return !overrun_; }
  // OkStatus, or an OutOfRange error naming `what` and the bit position of the first overrun.
  absl::Status status(absl::string_view what) const {
    if (!overrun_) return absl::OkStatus();  // inline: parsers check this once per field group
    return OverrunStatus(what);
  }

 private:
  // The 8 bytes at `byte` as a big-endian number. REQUIRES: byte + 8 <= data_.size().
  uint64_t Load64(size_t byte) const {
    uint64_t v;
    std::memcpy(&v, data_.data() + byte, 8);
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    return v;
  }
  uint64_t ReadBitsSlow(int n);
  absl::Status OverrunStatus(absl::string_view what) const;
  uint64_t ReadUeSlow();

  absl::Span<const uint8_t> data_;
  size_t pos_ = 0;
  bool overrun_ = false;
  size_t overrun_at_ = 0;
};

}  // namespace mkvfleet::bits
