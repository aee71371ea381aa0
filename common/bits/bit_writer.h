// MSB-first bit writer, the mirror of BitReader, used to write RPUs and HEVC headers bit-exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mkvfleet::bits {

// Appends bits to an owned byte vector. Not thread-safe.
class BitWriter {
 public:
  // Writes the low n bits (0..64) of value, most significant first.
  void WriteBits(uint64_t value, int n);
  void WriteFlag(bool b) { WriteBits(b ? 1 : 0, 1); }
  // ue(v) and se(v) Exp-Golomb codes.
  void WriteUe(uint64_t value);
  void WriteSe(int64_t value);
  // Pads with zero bits up to the next byte boundary.
  void AlignWithZeros();
  // Writes a 1 then zeros up to the byte boundary (rbsp_trailing_bits).
  void WriteTrailingBits();

  size_t position() const { return bits_; }
  bool byte_aligned() const { return bits_ % 8 == 0; }
  // The bytes written so far; a partial last byte is zero-padded.
  const std::vector<uint8_t>& bytes() const { return out_; }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
  size_t bits_ = 0;
};

}  // namespace mkvfleet::bits
