// EBML's CRC-32: the table-driven CRC against the check value and a bit-by-bit oracle at every
// length around its 8-byte steps, continuation, and the CRC-32 element helpers.
#include "common/matroska/crc32.h"

#include <catch2/catch.hpp>

#include "tests/unit/matroska/ebml_builder.h"

namespace mkvfleet::matroska {
namespace {

using testing::Bytes;
using testing::El;
namespace id = testing::id;

TEST_CASE("Crc32 is the IEEE CRC-32 zlib computes") {
  const Bytes check{'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  CHECK(Crc32(check) == 0xCBF43926);  // the standard check value
  CHECK(Crc32({}) == 0);
  const Bytes data = testing::Pattern(300, 0xF0);
  for (size_t n = 0; n <= data.size(); ++n) {
    CAPTURE(n);
    const Bytes head(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    REQUIRE(Crc32(head) == testing::BitwiseCrc32(head));
  }
  SECTION("continued over pieces, at any split") {
    for (size_t split : {0, 1, 7, 8, 9, 150, 299, 300}) {
      CAPTURE(split);
      const absl::Span<const uint8_t> all(data);
      CHECK(Crc32(all.subspan(split), Crc32(all.first(split))) == Crc32(all));
    }
  }
}

TEST_CASE("SplitLeadingCrc32 finds a CRC-32 only as the first child, of 4 bytes") {
  const Bytes rest = testing::Cat({El(id::kVoid, Bytes(3, 0)), El(id::kTimestamp, Bytes{1})});
  absl::Span<const uint8_t> body;
  SECTION("present") {
    const Bytes data = testing::Cat({testing::Crc32El(rest), rest});
    REQUIRE(SplitLeadingCrc32(data, body));
    CHECK(Bytes(body.begin(), body.end()) == rest);
  }
  SECTION("present, with a 2-byte size field") {
    const Bytes data = testing::Cat({El(id::kCrc32, Bytes{1, 2, 3, 4}, 2), rest});
    REQUIRE(SplitLeadingCrc32(data, body));
    CHECK(Bytes(body.begin(), body.end()) == rest);
  }
  SECTION("absent, later, of another size or cut short") {
    CHECK_FALSE(SplitLeadingCrc32(rest, body));
    CHECK_FALSE(SplitLeadingCrc32(testing::Cat({rest, testing::Crc32El(rest)}), body));
    CHECK_FALSE(SplitLeadingCrc32(testing::Cat({El(id::kCrc32, Bytes(5, 0)), rest}), body));
    CHECK_FALSE(SplitLeadingCrc32(Bytes{0xBF, 0x84, 1, 2}, body));
    CHECK_FALSE(SplitLeadingCrc32({}, body));
  }
}

TEST_CASE("AppendCrc32Element and StoreCrc32 write the value little-endian") {
  std::vector<uint8_t> out{0x55};
  AppendCrc32Element(out, 0x11223344);
  CHECK(out == Bytes{0x55, 0xBF, 0x84, 0x44, 0x33, 0x22, 0x11});
  AppendCrc32Element(out, 0xA1B2C3D4, 2);
  CHECK(Bytes(out.begin() + 7, out.end()) == Bytes{0xBF, 0x40, 0x04, 0xD4, 0xC3, 0xB2, 0xA1});
  uint8_t value[4] = {};
  StoreCrc32(value + 4, 0xCBF43926);
  CHECK(Bytes(value, value + 4) == Bytes{0x26, 0x39, 0xF4, 0xCB});
}

}  // namespace
}  // namespace mkvfleet::matroska
