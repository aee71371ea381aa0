// Splitting a master element's data into children: offsets, spans, errors, and the unsigned
// lookups every editor builds on.
#include "common/matroska/ebml_children.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "tests/unit/matroska/ebml_builder.h"

namespace mkvfleet::matroska {
namespace {

using testing::Bytes;

TEST_CASE("ParseChildren gives each child's header, offset, data and whole bytes") {
  // TrackEntry data: TrackNumber 1, TrackUID (2-byte ID) 0x1234, CodecID with a 2-byte size,
  // an empty Void.
  const Bytes data = {
      0xD7, 0x81, 0x01,                   // TrackNumber = 1
      0x73, 0xC5, 0x82, 0x12, 0x34,       // TrackUID = 0x1234
      0x86, 0x40, 0x03, 'V',  '_',  'X',  // CodecID "V_X", size stored in 2 bytes
      0xEC, 0x80,                         // Void, empty
  };
  absl::StatusOr<std::vector<Child>> kids = ParseChildren(data, "TrackEntry");
  REQUIRE(kids.ok());
  REQUIRE(kids->size() == 4);

  const Child& num = (*kids)[0];
  CHECK(num.header.id == 0xD7);
  CHECK(num.offset == 0);
  CHECK(Bytes(num.data.begin(), num.data.end()) == Bytes{0x01});
  CHECK(num.whole.data() == data.data());
  CHECK(num.whole.size() == 3);

  const Child& uid = (*kids)[1];
  CHECK(uid.header.id == 0x73C5);
  CHECK(uid.offset == 3);
  CHECK(uid.header.header_size == 3);
  CHECK(Bytes(uid.data.begin(), uid.data.end()) == Bytes{0x12, 0x34});
  CHECK(uid.data.data() == data.data() + 6);

  const Child& codec = (*kids)[2];
  CHECK(codec.offset == 8);
  CHECK(codec.header.header_size == 3);
  CHECK(SizeWidth(codec.header) == 2);
  CHECK(Bytes(codec.data.begin(), codec.data.end()) == Bytes{'V', '_', 'X'});
  CHECK(codec.whole.size() == 6);
  CHECK(codec.whole.data() == data.data() + 8);

  const Child& v = (*kids)[3];
  CHECK(v.header.id == 0xEC);
  CHECK(v.offset == 14);
  CHECK(v.data.empty());
  CHECK(v.whole.size() == 2);
}

TEST_CASE("ParseChildren of empty data is an empty list") {
  absl::StatusOr<std::vector<Child>> kids = ParseChildren(Bytes{}, "Tracks");
  REQUIRE(kids.ok());
  CHECK(kids->empty());
}

TEST_CASE("ParseChildren rejects a child that runs past the end") {
  SECTION("data too short by one byte") {
    const Bytes data = {0xD7, 0x81, 0x01, 0x86, 0x84, 'V', '_', 'X'};
    absl::StatusOr<std::vector<Child>> kids = ParseChildren(data, "TrackEntry");
    REQUIRE_FALSE(kids.ok());
    CHECK(kids.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(kids.status().message()), Catch::Contains("TrackEntry"));
  }
  SECTION("a huge size that would overflow an offset") {
    const Bytes data = {0xEC, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0x00};
    CHECK(ParseChildren(data, "x").status().code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("a header cut off at the end") {
    const Bytes data = {0xD7, 0x81, 0x01, 0x73};
    CHECK(ParseChildren(data, "x").status().code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("an invalid ID byte") {
    const Bytes data = {0xD7, 0x81, 0x01, 0x00, 0x81, 0x00};
    CHECK(ParseChildren(data, "x").status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ParseChildren rejects a child of unknown size") {
  const Bytes data = {0xD7, 0x81, 0x01, 0xA0, 0xFF, 0xA1, 0x81, 0x00};
  absl::StatusOr<std::vector<Child>> kids = ParseChildren(data, "Cluster");
  REQUIRE_FALSE(kids.ok());
  CHECK(kids.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(kids.status().message()), Catch::Contains("unknown size"));
}

TEST_CASE("FindChild and ChildUnsigned find the first child or fall back") {
  const Bytes data = testing::Cat({
      testing::Uint(testing::id::kTrackNumber, 2), testing::Uint(testing::id::kTrackType, 1),
      testing::Uint(testing::id::kTrackNumber, 7),          // a second one is ignored
      testing::El(testing::id::kTrackUid, Bytes(9, 0x01)),  // 9 bytes: not an unsigned
  });
  absl::StatusOr<std::vector<Child>> kids = ParseChildren(data, "TrackEntry");
  REQUIRE(kids.ok());
  REQUIRE(kids->size() == 4);
  CHECK(FindChild(*kids, 0xD7) == &(*kids)[0]);
  CHECK(FindChild(*kids, 0x86) == nullptr);
  CHECK(*ChildUnsigned(*kids, 0xD7, 99) == 2);
  CHECK(*ChildUnsigned(*kids, 0x83, 99) == 1);
  CHECK(*ChildUnsigned(*kids, 0x86, 99) == 99);  // absent: the fallback
  CHECK(*ChildUnsigned(*kids, 0x86, 0) == 0);
  CHECK(ChildUnsigned(*kids, 0x73C5, 0).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ChildUnsigned reads an empty unsigned as 0, not the fallback") {
  const Bytes data = {0x83, 0x80};
  absl::StatusOr<std::vector<Child>> kids = ParseChildren(data, "TrackEntry");
  REQUIRE(kids.ok());
  CHECK(*ChildUnsigned(*kids, 0x83, 5) == 0);
}

}  // namespace
}  // namespace mkvfleet::matroska
