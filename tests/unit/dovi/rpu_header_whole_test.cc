// ParseRpuHeader reads long inputs with whole fixed-width runs and short ones field by field:
// on every input the short way reads completely, the long way must give the same status,
// fields and position.
#include <catch2/catch.hpp>
#include <random>
#include <vector>

#include "common/bits/bit_reader.h"
#include "common/dovi/rpu_header.h"

namespace mkvfleet::dovi {
namespace {

TEST_CASE("Header parse of long inputs equals the field-by-field parse", "[dovi][lean]") {
  std::mt19937 rng(2024);
  int compared = 0;
  for (int i = 0; i < 200000; ++i) {
    std::vector<uint8_t> bytes(44);  // 352 bits: below the whole-run threshold
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    if (i % 8 != 0) bytes[0] = static_cast<uint8_t>(0x08 | (bytes[0] & 3));  // rpu_type 2
    if (i % 3 == 0) bytes[3] |= 0x40;  // vdr_seq_info_present_flag more often
    bits::BitReader short_reader(bytes);
    RpuHeader short_header;
    const absl::Status short_status = ParseRpuHeader(short_reader, short_header);
    if (absl::IsOutOfRange(short_status)) continue;  // the data ended: a longer input differs
    std::vector<uint8_t> padded = bytes;
    padded.resize(128);
    bits::BitReader long_reader(padded);
    RpuHeader long_header;
    const absl::Status long_status = ParseRpuHeader(long_reader, long_header);
    INFO("input " << i);
    REQUIRE(long_status.ToString() == short_status.ToString());
    if (!short_status.ok()) continue;
    ++compared;
    REQUIRE(long_header == short_header);
    REQUIRE(long_reader.position() == short_reader.position());
  }
  CHECK(compared > 1000);
}

}  // namespace
}  // namespace mkvfleet::dovi
