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
