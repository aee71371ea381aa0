// MSB-first bit writer, the mirror of BitReader, used to write RPUs and HEVC headers bit-exactly.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/types/span.h"

namespace mkvfleet::bits {

// Appends bits to an owned byte vector. Not thread-safe (bytes() updates internal buffers).
class BitWriter {
 public:
  // Writes the low n bits (0..64) of value, most significant first.
  void WriteBits(uint64_t value, int n) {
    if (n <= 0) return;
    if (n > 56) {  // two steps keep the pending bits within 64
      WriteBits(value >> 32, n - 32);
      n = 32;
    }
    value &= (uint64_t{1} << n) - 1;
    if (pending_bits_ + n > 64) {
      if (out_.size() < size_ + 8) Grow();
      StorePending();
    }
    pending_ = (pending_ << n) | value;
    pending_bits_ += n;
    bits_ += n;
  }
  void WriteFlag(bool b) { WriteBits(b ? 1 : 0, 1); }
  // ue(v) and se(v) Exp-Golomb codes.
  void WriteUe(uint64_t value) {
    const uint64_t code = value + 1;
    const int len = code == 0 ? 64 : std::bit_width(code) - 1;  // code == 0: value was 2^64 - 1
    if (len <= 27) {
      WriteBits(code, 2 * len + 1);  // len zeros, then code in len + 1 bits
    } else {
      WriteUeLong(value);
    }
  }
  void WriteSe(int64_t value) {
    WriteUe(value > 0 ? static_cast<uint64_t>(value) * 2 - 1 : static_cast<uint64_t>(-value) * 2);
  }
  // Pads with zero bits up to the next byte boundary.
  void AlignWithZeros() { WriteBits(0, static_cast<int>((8 - bits_ % 8) % 8)); }
  // Writes a 1 then zeros up to the byte boundary (rbsp_trailing_bits).
  void WriteTrailingBits() {
    WriteBits(1, 1);
    AlignWithZeros();
  }

  // Appends whole bytes. REQUIRES: byte_aligned().
  void WriteBytes(absl::Span<const uint8_t> data);
  // Appends `n` bits of `src` starting at its bit `begin` (first bit = top bit of src[0]): the
  // same as WriteBits of each of them, but whole bytes are copied when the source and the
  // writer are at the same bit of a byte, and 56 bits per step otherwise.
  // REQUIRES: begin + n <= 8 * src.size().
  void WriteBitsFrom(absl::Span<const uint8_t> src, size_t begin, size_t n);

  size_t position() const { return bits_; }
  bool byte_aligned() const { return bits_ % 8 == 0; }
  // The bytes written so far; a partial last byte is zero-padded.
  const std::vector<uint8_t>& bytes() const;
  // The bytes written so far, when they are whole: unlike bytes(), does not trim the buffer,
  // so writing on after it costs nothing. Valid until the next write. REQUIRES: byte_aligned().
  absl::Span<const uint8_t> aligned_bytes() const {
    FlushBytes();
    return absl::Span<const uint8_t>(out_.data(), size_);
  }
  // Returns the bytes (as bytes()) and leaves the writer empty.
  std::vector<uint8_t> Take();
  // Leaves the writer empty but keeps its buffer, so a reused writer does not allocate.
  void Clear() {
    size_ = 0;
    pending_ = 0;
    pending_bits_ = 0;
    bits_ = 0;
  }

 private:
  void WriteUeLong(uint64_t value);
  // Makes room in out_ for 8 more bytes after size_.
  void Grow() const;
  // Moves the whole bytes of pending_ into out_ (dropping a padded tail byte bytes() added).
  void FlushBytes() const {
    if (out_.size() < size_ + 8) Grow();
    StorePending();
  }
  // FlushBytes() given room for 8 bytes after size_.
  void StorePending() const {
    const int whole = pending_bits_ / 8;
    // Store the pending bits left-aligned as 8 big-endian bytes; only `whole` of them count.
    uint64_t word = pending_bits_ == 0 ? 0 : pending_ << (64 - pending_bits_);
    if constexpr (std::endian::native == std::endian::little) word = __builtin_bswap64(word);
    std::memcpy(out_.data() + size_, &word, 8);
    size_ += whole;
    pending_bits_ -= 8 * whole;
    pending_ &= (uint64_t{1} << pending_bits_) - 1;
  }

  // The first size_ bytes of out_ are the whole bytes written (out_ has slack beyond them);
  // pending_ holds the last pending_bits_ bits. bytes() trims out_ to size_ and appends a
  // zero-padded copy of the pending bits, which the next flush overwrites.
  mutable std::vector<uint8_t> out_;
  mutable size_t size_ = 0;
  mutable uint64_t pending_ = 0;
  mutable int pending_bits_ = 0;
  size_t bits_ = 0;
};

}  // namespace mkvfleet::bits
