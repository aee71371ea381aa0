// BitWriter: MSB-first appends, collected in a 64-bit word and moved out a byte at a time.
#include "common/bits/bit_writer.h"

namespace mkvfleet::bits {

void BitWriter::WriteUeLong(uint64_t value) {
  const uint64_t code = value + 1;
  int len = 0;
  while ((code >> len) > 1) ++len;
  WriteBits(0, len);
  WriteBits(code, len + 1);
}

void BitWriter::FlushBytes() const {
  if (tail_in_out_) {
    out_.pop_back();
    tail_in_out_ = false;
  }
  if (out_.capacity() == 0) out_.reserve(256);
  while (pending_bits_ >= 8) {
    pending_bits_ -= 8;
    out_.push_back(static_cast<uint8_t>(pending_ >> pending_bits_));
  }
  pending_ &= (uint64_t{1} << pending_bits_) - 1;
}

const std::vector<uint8_t>& BitWriter::bytes() const {
  FlushBytes();
  if (pending_bits_ > 0) {
    out_.push_back(static_cast<uint8_t>(pending_ << (8 - pending_bits_)));
    tail_in_out_ = true;
  }
  return out_;
}

std::vector<uint8_t> BitWriter::Take() {
  bytes();
  std::vector<uint8_t> result = std::move(out_);
  out_.clear();
  pending_ = 0;
  pending_bits_ = 0;
  tail_in_out_ = false;
  bits_ = 0;
  return result;
}

}  // namespace mkvfleet::bits
