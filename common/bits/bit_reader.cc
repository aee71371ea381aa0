// BitReader: MSB-first reads with a latched overrun instead of exceptions.
#include "common/bits/bit_reader.h"

#include "absl/strings/str_cat.h"

namespace mkvfleet::bits {

uint64_t BitReader::ReadBitsSlow(int n) {
  if (n <= 0) return 0;
  if (n > 64 || static_cast<size_t>(n) > bits_left()) {
    if (!overrun_) overrun_at_ = pos_;
    overrun_ = true;
    pos_ = size_bits();
    return 0;
  }
  uint64_t value = 0;
  int remaining = n;
  while (remaining > 0) {
    const size_t byte = pos_ >> 3;
    const int bit_in_byte = static_cast<int>(pos_ & 7);
    const int avail = 8 - bit_in_byte;
    const int take = remaining < avail ? remaining : avail;
    const uint8_t chunk =
        static_cast<uint8_t>(data_[byte] >> (avail - take)) & static_cast<uint8_t>((1u << take) - 1);
    value = (value << take) | chunk;
    pos_ += take;
    remaining -= take;
  }
  return value;
}

uint64_t BitReader::ReadUeSlow() {
  int leading_zeros = 0;
  while (ok() && bits_left() > 0 && ReadBits(1) == 0) {
    if (++leading_zeros > 32) {
      if (!overrun_) overrun_at_ = pos_;
      overrun_ = true;
      return 0;
    }
  }
  if (!ok()) return 0;
  if (bits_left() == 0 && leading_zeros == 0 && pos_ == 0) {
    ReadBits(1);  // empty buffer: latch the overrun
    return 0;
  }
  const uint64_t suffix = ReadBits(leading_zeros);
  return ((uint64_t{1} << leading_zeros) - 1) + suffix;
}

void BitReader::Skip(size_t n) {
  if (n > bits_left()) {
    if (!overrun_) overrun_at_ = pos_;
    overrun_ = true;
    pos_ = size_bits();
    return;
  }
  pos_ += n;
}

absl::Status BitReader::OverrunStatus(absl::string_view what) const {
  return absl::OutOfRangeError(absl::StrCat(what, ": data ends or is malformed at bit ", overrun_at_,
                                            " of ", size_bits()));
}

}  // namespace mkvfleet::bits
