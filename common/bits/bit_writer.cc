// BitWriter: MSB-first appends into a growing byte vector.
#include "common/bits/bit_writer.h"

namespace mkvfleet::bits {

void BitWriter::WriteBits(uint64_t value, int n) {
  for (int i = n - 1; i >= 0; --i) {
    if (bits_ % 8 == 0) out_.push_back(0);
    if ((value >> i) & 1) out_.back() |= static_cast<uint8_t>(0x80u >> (bits_ % 8));
    ++bits_;
  }
}

void BitWriter::WriteUe(uint64_t value) {
  const uint64_t code = value + 1;
  int len = 0;
  while ((code >> len) > 1) ++len;
  WriteBits(0, len);
  WriteBits(code, len + 1);
}

void BitWriter::WriteSe(int64_t value) {
  if (value > 0) {
    WriteUe(static_cast<uint64_t>(value) * 2 - 1);
  } else {
    WriteUe(static_cast<uint64_t>(-value) * 2);
  }
}

void BitWriter::AlignWithZeros() {
  while (bits_ % 8 != 0) WriteBits(0, 1);
}

void BitWriter::WriteTrailingBits() {
  WriteBits(1, 1);
  AlignWithZeros();
}

}  // namespace mkvfleet::bits
