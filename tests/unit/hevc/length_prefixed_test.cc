// hvcC parsing and length-prefixed framing on literal bytes.
#include "common/hevc/length_prefixed.h"

#include <catch2/catch.hpp>
#include <vector>

namespace mkvfleet::hevc {
namespace {

using Bytes = std::vector<uint8_t>;

TEST_CASE("length-prefixed packets split and rebuild", "[hevc][packet]") {
  const Bytes packet = {0, 0, 0, 3, 0x46, 0x01, 0x50, 0, 0, 0, 2, 0x7C, 0x01};
  auto nals = SplitLengthPrefixed(packet, 4);
  REQUIRE(nals.ok());
  REQUIRE(nals->size() == 2);
  CHECK(Bytes((*nals)[0].begin(), (*nals)[0].end()) == Bytes{0x46, 0x01, 0x50});
  Bytes rebuilt;
  for (auto nal : *nals) REQUIRE(AppendLengthPrefixed(nal, 4, rebuilt).ok());
  CHECK(rebuilt == packet);

  Bytes two;
  REQUIRE(AppendLengthPrefixed((*nals)[0], 2, two).ok());
  CHECK(two == Bytes{0, 3, 0x46, 0x01, 0x50});
  CHECK(SplitLengthPrefixed(two, 2)->size() == 1);

  CHECK_FALSE(SplitLengthPrefixed(packet, 3 + 2).ok());          // bad size
  CHECK_FALSE(SplitLengthPrefixed({packet.data(), 6}, 4).ok());  // truncated NAL
  CHECK_FALSE(SplitLengthPrefixed({packet.data(), 2}, 4).ok());  // truncated length
  Bytes big(300, 0x55);
  Bytes one;
  CHECK_FALSE(AppendLengthPrefixed(big, 1, one).ok());
  CHECK(SplitLengthPrefixed({}, 4)->empty());
}

TEST_CASE("hvcC record", "[hevc][packet]") {
  Bytes hvcc = {1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 90, 0xF0, 0, 0xFC, 0xFD, 0xF8, 0xF8, 0,
                0, 0x0F, 2,
                // array: VPS, 1 NAL of 3 bytes
                0xA0, 0, 1, 0, 3, 0x40, 0x01, 0x0C,
                // array: SEI, 2 NALs
                0x27, 0, 2, 0, 2, 0x4E, 0x01, 0, 1, 0x4E};
  auto c = ParseHvcc(hvcc);
  REQUIRE(c.ok());
  CHECK(c->nal_length_size == 4);
  REQUIRE(c->arrays.size() == 2);
  CHECK(c->arrays[0].array_completeness);
  CHECK(c->arrays[0].nal_unit_type == 32);
  CHECK(c->arrays[0].nal_units[0] == Bytes{0x40, 0x01, 0x0C});
  CHECK(c->arrays[1].nal_units.size() == 2);
  for (size_t n = 0; n < hvcc.size(); ++n) {
    CHECK_FALSE(ParseHvcc({hvcc.data(), n}).ok());  // every truncation is an error
  }
  hvcc[21] = 0x0E;  // lengthSizeMinusOne 2
  CHECK_FALSE(ParseHvcc(hvcc).ok());
  hvcc[21] = 0x0D;
  CHECK(ParseHvcc(hvcc)->nal_length_size == 2);
  hvcc[0] = 0;
  CHECK_FALSE(ParseHvcc(hvcc).ok());
}

}  // namespace
}  // namespace mkvfleet::hevc
