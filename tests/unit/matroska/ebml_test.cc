// EBML headers and integers on literal byte patterns: IDs of 1 to 4 bytes, sizes of 1 to 8
// bytes, unknown sizes, invalid markers, truncation, and the exact bytes the writers produce.
#include "common/matroska/ebml.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

namespace mkvfleet::matroska {
namespace {

using Bytes = std::vector<uint8_t>;

absl::StatusOr<ElementHeader> Parse(const Bytes& b) { return ParseElementHeader(b); }

TEST_CASE("ParseElementHeader reads IDs of 1 to 4 bytes") {
  struct Case {
    Bytes bytes;
    uint32_t id;
    int header_size;
    uint64_t data_size;
  };
  const Case cases[] = {
      {{0xA3, 0x85}, 0xA3, 2, 5},                           // SimpleBlock
      {{0x42, 0x86, 0x81}, 0x4286, 3, 1},                   // EBMLVersion
      {{0x2A, 0xD7, 0xB1, 0x83}, 0x2AD7B1, 4, 3},           // TimestampScale
      {{0x1F, 0x43, 0xB6, 0x75, 0x8A}, 0x1F43B675, 5, 10},  // Cluster
      {{0x1A, 0x45, 0xDF, 0xA3, 0xA3}, 0x1A45DFA3, 5, 35},  // EBML
  };
  for (const Case& c : cases) {
    CAPTURE(c.id);
    absl::StatusOr<ElementHeader> h = Parse(c.bytes);
    REQUIRE(h.ok());
    CHECK(h->id == c.id);
    CHECK(h->header_size == c.header_size);
    CHECK(h->data_size == c.data_size);
    CHECK_FALSE(h->unknown_size);
    CHECK(SizeWidth(*h) == 1);
  }
}

TEST_CASE("ParseElementHeader reads sizes of 1 to 8 bytes") {
  struct Case {
    Bytes size;
    uint64_t value;
  };
  const Case cases[] = {
      {{0x80}, 0},
      {{0xFE}, 126},
      {{0x40, 0x7F}, 127},
      {{0x40, 0x05}, 5},  // not the shortest form: still 5, width 2
      {{0x7F, 0xFE}, 16382},
      {{0x20, 0x40, 0x00}, 16384},
      {{0x1F, 0xFF, 0xFF, 0xFE}, 268435454},
      {{0x08, 0x12, 0x34, 0x56, 0x78}, 0x12345678},
      {{0x07, 0x01, 0x02, 0x03, 0x04, 0x05}, 0x030102030405},
      {{0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07}, 7},
      {{0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A}, 42},
      {{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}, (uint64_t{1} << 56) - 2},
  };
  for (const Case& c : cases) {
    Bytes bytes = {0x18, 0x53, 0x80, 0x67};  // Segment
    bytes.insert(bytes.end(), c.size.begin(), c.size.end());
    CAPTURE(c.value, c.size.size());
    absl::StatusOr<ElementHeader> h = Parse(bytes);
    REQUIRE(h.ok());
    CHECK(h->id == 0x18538067);
    CHECK(h->header_size == 4 + static_cast<int>(c.size.size()));
    CHECK(h->data_size == c.value);
    CHECK_FALSE(h->unknown_size);
    CHECK(SizeWidth(*h) == static_cast<int>(c.size.size()));
  }
}

TEST_CASE("ParseElementHeader: all-ones sizes are unknown for every width") {
  const Bytes sizes[] = {
      {0xFF},
      {0x7F, 0xFF},
      {0x3F, 0xFF, 0xFF},
      {0x1F, 0xFF, 0xFF, 0xFF},
      {0x0F, 0xFF, 0xFF, 0xFF, 0xFF},
      {0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
  };
  for (const Bytes& size : sizes) {
    Bytes bytes = {0x1F, 0x43, 0xB6, 0x75};  // Cluster, as live streams write it
    bytes.insert(bytes.end(), size.begin(), size.end());
    CAPTURE(size.size());
    absl::StatusOr<ElementHeader> h = Parse(bytes);
    REQUIRE(h.ok());
    CHECK(h->unknown_size);
    CHECK(h->data_size == 0);
    CHECK(h->header_size == 4 + static_cast<int>(size.size()));
  }
  // One below all ones is a known size.
  absl::StatusOr<ElementHeader> h = Parse({0xA3, 0x7F, 0xFE});
  REQUIRE(h.ok());
  CHECK_FALSE(h->unknown_size);
  CHECK(h->data_size == 16382);
}

TEST_CASE("ParseElementHeader rejects invalid markers with InvalidArgument") {
  SECTION("ID byte 0x00") {
    CHECK(Parse({0x00, 0x81, 0x00}).status().code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("5-byte ID marker") {
    CHECK(Parse({0x08, 0x01, 0x02, 0x03, 0x04, 0x81}).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("8-byte ID marker") {
    CHECK(Parse({0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x81}).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("size byte 0x00") {
    CHECK(Parse({0xA3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05}).status().code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(Parse({0x1A, 0x45, 0xDF, 0xA3, 0x00}).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ParseElementHeader reports truncation as OutOfRange") {
  const Bytes truncated[] = {
      {},                                                // nothing
      {0xA3},                                            // ID, no size
      {0x42},                                            // half a 2-byte ID
      {0x1A, 0x45, 0xDF},                                // 3 of 4 ID bytes
      {0x1A, 0x45, 0xDF, 0xA3},                          // ID, no size
      {0x1A, 0x45, 0xDF, 0xA3, 0x40},                    // half a 2-byte size
      {0xA3, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},  // 7 of 8 size bytes
  };
  for (const Bytes& b : truncated) {
    CAPTURE(b.size());
    CHECK(Parse(b).status().code() == absl::StatusCode::kOutOfRange);
  }
}

TEST_CASE("ParseElementHeader ignores the bytes after the header") {
  absl::StatusOr<ElementHeader> h = Parse({0xE7, 0x82, 0x03, 0xE8, 0xFF, 0x00});
  REQUIRE(h.ok());
  CHECK(h->id == 0xE7);
  CHECK(h->header_size == 2);
  CHECK(h->data_size == 2);
}

TEST_CASE("AppendId writes the stored ID bytes") {
  Bytes out;
  AppendId(out, 0xA3);
  CHECK(out == Bytes{0xA3});
  out.clear();
  AppendId(out, 0x4286);
  CHECK(out == Bytes{0x42, 0x86});
  out.clear();
  AppendId(out, 0x2AD7B1);
  CHECK(out == Bytes{0x2A, 0xD7, 0xB1});
  out.clear();
  AppendId(out, 0x1F43B675);
  CHECK(out == Bytes{0x1F, 0x43, 0xB6, 0x75});
  AppendId(out, 0xE7);  // appends, does not replace
  CHECK(out == Bytes{0x1F, 0x43, 0xB6, 0x75, 0xE7});
}

TEST_CASE("AppendSize writes shortest and explicit widths") {
  auto size = [](uint64_t v, int width) {
    Bytes out;
    AppendSize(out, v, width);
    return out;
  };
  CHECK(size(0, 0) == Bytes{0x80});
  CHECK(size(5, 0) == Bytes{0x85});
  CHECK(size(126, 0) == Bytes{0xFE});
  CHECK(size(127, 0) == Bytes{0x40, 0x7F});  // 0xFF would mean "unknown"
  CHECK(size(16382, 0) == Bytes{0x7F, 0xFE});
  CHECK(size(16383, 0) == Bytes{0x20, 0x3F, 0xFF});
  CHECK(size(0x12345678, 0) == Bytes{0x08, 0x12, 0x34, 0x56, 0x78});
  CHECK(size(5, 1) == Bytes{0x85});
  CHECK(size(5, 2) == Bytes{0x40, 0x05});
  CHECK(size(5, 4) == Bytes{0x10, 0x00, 0x00, 0x05});
  CHECK(size(5, 8) == Bytes{0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05});
  CHECK(size(0x0102030405, 8) == Bytes{0x01, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05});
  CHECK(size((uint64_t{1} << 56) - 2, 0) == Bytes{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE});
}

TEST_CASE("AppendSize output parses back to the same size and width") {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{126}, uint64_t{127}, uint64_t{300},
                     uint64_t{16383}, uint64_t{1} << 30, (uint64_t{1} << 49) - 2}) {
    for (int width = 1; width <= 8; ++width) {
      if (v > MaxSizeForWidth(width)) continue;
      Bytes bytes = {0xEC};
      AppendSize(bytes, v, width);
      CAPTURE(v, width);
      absl::StatusOr<ElementHeader> h = Parse(bytes);
      REQUIRE(h.ok());
      CHECK(h->data_size == v);
      CHECK_FALSE(h->unknown_size);
      CHECK(SizeWidth(*h) == width);
    }
  }
}

TEST_CASE("AppendUnsignedElement and AppendElement write whole elements") {
  Bytes out;
  AppendUnsignedElement(out, 0xE7, 0);
  CHECK(out == Bytes{0xE7, 0x81, 0x00});
  out.clear();
  AppendUnsignedElement(out, 0xE7, 1000);
  CHECK(out == Bytes{0xE7, 0x82, 0x03, 0xE8});
  out.clear();
  AppendUnsignedElement(out, 0x2AD7B1, 1000000);
  CHECK(out == Bytes{0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40});
  out.clear();
  AppendUnsignedElement(out, 0x73C5, 0xFFFFFFFFFFFFFFFFull);
  CHECK(out == Bytes{0x73, 0xC5, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
  out.clear();
  AppendUnsignedBytes(out, 0x0102, 4);
  CHECK(out == Bytes{0x00, 0x00, 0x01, 0x02});
  out.clear();
  const Bytes codec = {'V', '_', 'T'};
  AppendElement(out, 0x86, codec);
  CHECK(out == Bytes{0x86, 0x83, 'V', '_', 'T'});
  out.clear();
  AppendElement(out, 0xEC, Bytes(127, 0));
  REQUIRE(out.size() == 3 + 127);
  CHECK(out[0] == 0xEC);
  CHECK(out[1] == 0x40);
  CHECK(out[2] == 0x7F);
}

TEST_CASE("MaxSizeForWidth, FitWidth, UnsignedWidth") {
  CHECK(MaxSizeForWidth(1) == 126);
  CHECK(MaxSizeForWidth(2) == 16382);
  CHECK(MaxSizeForWidth(3) == 2097150);
  CHECK(MaxSizeForWidth(4) == 268435454);
  CHECK(MaxSizeForWidth(8) == (uint64_t{1} << 56) - 2);

  CHECK(FitWidth(5, 1) == 1);
  CHECK(FitWidth(5, 4) == 4);  // kept: a source's width that fits
  CHECK(FitWidth(5, 8) == 8);
  CHECK(FitWidth(126, 1) == 1);
  CHECK(FitWidth(127, 1) == 2);  // grown to the shortest that fits
  CHECK(FitWidth(20000, 2) == 3);
  CHECK(FitWidth(16382, 2) == 2);
  CHECK(FitWidth(300, 0) == 2);  // no preference: shortest
  CHECK(FitWidth(5, 9) == 1);    // invalid preference: shortest
  CHECK(FitWidth(5, -1) == 1);
  CHECK(FitWidth(0, 0) == 1);

  CHECK(UnsignedWidth(0) == 1);
  CHECK(UnsignedWidth(255) == 1);
  CHECK(UnsignedWidth(256) == 2);
  CHECK(UnsignedWidth(0xFFFFFF) == 3);
  CHECK(UnsignedWidth(0x1000000) == 4);
  CHECK(UnsignedWidth(uint64_t{1} << 56) == 8);
  CHECK(UnsignedWidth(0xFFFFFFFFFFFFFFFFull) == 8);
}

TEST_CASE("ReadUnsigned reads 0 to 8 big-endian bytes and rejects 9") {
  CHECK(*ReadUnsigned(Bytes{}) == 0);
  CHECK(*ReadUnsigned(Bytes{0x2A}) == 42);
  CHECK(*ReadUnsigned(Bytes{0x03, 0xE8}) == 1000);
  CHECK(*ReadUnsigned(Bytes{0x00, 0x00, 0x03, 0xE8}) == 1000);
  CHECK(*ReadUnsigned(Bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}) ==
        0x0102030405060708ull);
  CHECK(*ReadUnsigned(Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}) ==
        0xFFFFFFFFFFFFFFFFull);
  CHECK(ReadUnsigned(Bytes(9, 0)).status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mkvfleet::matroska
