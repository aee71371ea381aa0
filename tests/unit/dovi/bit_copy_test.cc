// BitWriter::WriteBitsFrom, the bit-range copy the lean RPU write is built on: at every source
// and destination phase and length it writes what WriteBits of each bit would.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "common/bits/bit_writer.h"

namespace mkvfleet::bits {
namespace {

int BitAt(const std::vector<uint8_t>& v, size_t bit) { return (v[bit / 8] >> (7 - bit % 8)) & 1; }

TEST_CASE("WriteBitsFrom equals bit-by-bit writes at every phase and length", "[dovi][bits]") {
  std::mt19937 rng(99);
  std::vector<uint8_t> src(40);
  for (uint8_t& b : src) b = static_cast<uint8_t>(rng());
  for (int lead = 0; lead < 9; ++lead) {  // bits already in the writer
    for (size_t begin = 0; begin < 20; ++begin) {
      for (size_t n = 0; begin + n <= 8 * src.size(); n += 1 + n / 7) {
        BitWriter fast, slow;
        fast.WriteBits(0x15A, lead);
        slow.WriteBits(0x15A, lead);
        fast.WriteBitsFrom(src, begin, n);
        for (size_t i = 0; i < n; ++i) slow.WriteBits(BitAt(src, begin + i), 1);
        fast.WriteBits(5, 3);  // and it keeps writing correctly after
        slow.WriteBits(5, 3);
        INFO("lead " << lead << " begin " << begin << " n " << n);
        REQUIRE(fast.position() == slow.position());
        REQUIRE(fast.bytes() == slow.bytes());
      }
    }
  }
}

}  // namespace
}  // namespace mkvfleet::bits
