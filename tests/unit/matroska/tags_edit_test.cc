// Restating mkvmerge's per-track statistics tags: NUMBER_OF_BYTES replaced, BPS scaled, every
// other byte of Tags kept.
#include "common/matroska/tags_edit.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/unit/matroska/ebml_builder.h"

namespace mkvfleet::matroska {
namespace {

using testing::Bytes;
using testing::El;
using testing::Master;
using testing::Str;
using testing::Uint;
namespace id = testing::id;

constexpr uint64_t kVideoUid = 0x1122334455667788;
constexpr uint64_t kAudioUid = 0xA0D1;

// A SimpleTag as mkvmerge writes it: name, language, default flag, string.
Bytes Simple(const std::string& name, const std::string& value) {
  return Master(id::kSimpleTag, {Str(id::kTagName, name), Str(id::kTagLanguage, "eng"),
                                 Uint(id::kTagDefault, 1), Str(id::kTagString, value)});
}

// mkvmerge's statistics Tag for one track.
Bytes StatsTag(uint64_t uid, const std::string& bps, const std::string& bytes, int size_width = 0) {
  return Master(
      id::kTag,
      {Master(id::kTargets, {Uint(id::kTargetTypeValue, 50), Uint(id::kTagTrackUid, uid)}),
       Simple("BPS", bps), Simple("DURATION", "00:00:01.000000000"),
       Simple("NUMBER_OF_FRAMES", "24"), Simple("NUMBER_OF_BYTES", bytes),
       Simple("_STATISTICS_WRITING_APP", "mkvmerge v80.0 ('Roundabout') 64-bit"),
       Simple("_STATISTICS_WRITING_DATE_UTC", "2026-12-02 18:00:00"),
       Simple("_STATISTICS_TAGS", "BPS DURATION NUMBER_OF_FRAMES NUMBER_OF_BYTES")},
      size_width);
}

// A global tag (no Targets), e.g. the encoder.
Bytes GlobalTag() { return Master(id::kTag, {Simple("ENCODER", "Lavf60.3.100")}); }

TEST_CASE("UpdateTrackStatistics restates NUMBER_OF_BYTES and scales BPS for one track") {
  // The audio tag's size is stored in 8 bytes: it must come out exactly as stored.
  const Bytes tags = testing::Cat({GlobalTag(), StatsTag(kVideoUid, "8000", "1000"),
                                   StatsTag(kAudioUid, "640000", "80000", 8)});
  absl::StatusOr<Bytes> out = UpdateTrackStatistics(tags, kVideoUid, 500);
  REQUIRE(out.ok());
  const Bytes expected = testing::Cat(
      {GlobalTag(), StatsTag(kVideoUid, "4000", "500"), StatsTag(kAudioUid, "640000", "80000", 8)});
  CHECK(*out == expected);
}

TEST_CASE("UpdateTrackStatistics: the other track's tags change, the video's stay") {
  const Bytes tags =
      testing::Cat({StatsTag(kVideoUid, "8000", "1000"), StatsTag(kAudioUid, "640000", "80000")});
  absl::StatusOr<Bytes> out = UpdateTrackStatistics(tags, kAudioUid, 160000);
  REQUIRE(out.ok());
  CHECK(*out == testing::Cat({StatsTag(kVideoUid, "8000", "1000"),
                              StatsTag(kAudioUid, "1280000", "160000")}));
}

TEST_CASE("UpdateTrackStatistics scaling: rounding, growth, large values, BPS after bytes") {
  SECTION("rounds to nearest") {
    // 7 * 1 / 2 = 3.5 -> 4; 8001 * 333 / 1000 = 2664.333 -> 2664.
    CHECK(*UpdateTrackStatistics(StatsTag(kVideoUid, "7", "2"), kVideoUid, 1) ==
          StatsTag(kVideoUid, "4", "1"));
    CHECK(*UpdateTrackStatistics(StatsTag(kVideoUid, "8001", "1000"), kVideoUid, 333) ==
          StatsTag(kVideoUid, "2664", "333"));
  }
  SECTION("more bytes: longer strings") {
    CHECK(*UpdateTrackStatistics(StatsTag(kVideoUid, "8000", "1000"), kVideoUid, 1000000) ==
          StatsTag(kVideoUid, "8000000", "1000000"));
  }
  SECTION("a product beyond 64 bits") {
    // 80 Mb/s over a 1 TB track, doubled: 8e7 * 2e12 overflows uint64.
    CHECK(*UpdateTrackStatistics(StatsTag(kVideoUid, "80000000", "1000000000000"), kVideoUid,
                                 2000000000000) ==
          StatsTag(kVideoUid, "160000000", "2000000000000"));
  }
  SECTION("BPS after NUMBER_OF_BYTES") {
    const Bytes tag = Master(id::kTag, {Master(id::kTargets, {Uint(id::kTagTrackUid, 9)}),
                                        Simple("NUMBER_OF_BYTES", "1000"), Simple("BPS", "8000")});
    CHECK(*UpdateTrackStatistics(tag, 9, 250) ==
          Master(id::kTag, {Master(id::kTargets, {Uint(id::kTagTrackUid, 9)}),
                            Simple("NUMBER_OF_BYTES", "250"), Simple("BPS", "2000")}));
  }
  SECTION("NUL-terminated strings are numbers") {
    const Bytes tag = Master(id::kTag, {Master(id::kTargets, {Uint(id::kTagTrackUid, 9)}),
                                        Simple("BPS", std::string("8000\0", 5)),
                                        Simple("NUMBER_OF_BYTES", std::string("1000\0\0", 6))});
    CHECK(*UpdateTrackStatistics(tag, 9, 500) ==
          Master(id::kTag, {Master(id::kTargets, {Uint(id::kTagTrackUid, 9)}),
                            Simple("BPS", "4000"), Simple("NUMBER_OF_BYTES", "500")}));
  }
  SECTION("old byte count 0: BPS left as stored") {
    CHECK(*UpdateTrackStatistics(StatsTag(kVideoUid, "0", "0"), kVideoUid, 500) ==
          StatsTag(kVideoUid, "0", "500"));
  }
}

TEST_CASE("UpdateTrackStatistics leaves Tags without the track untouched") {
  const Bytes tags = testing::Cat(
      {GlobalTag(), StatsTag(kAudioUid, "640000", "80000", 4), El(id::kVoid, Bytes(3, 0))});
  absl::StatusOr<Bytes> out = UpdateTrackStatistics(tags, kVideoUid, 500);
  REQUIRE(out.ok());
  CHECK(*out == tags);
  CHECK(*UpdateTrackStatistics(Bytes{}, kVideoUid, 500) == Bytes{});
}

TEST_CASE("UpdateTrackStatistics errors") {
  SECTION("non-numeric NUMBER_OF_BYTES") {
    CHECK(UpdateTrackStatistics(StatsTag(kVideoUid, "8000", "1k"), kVideoUid, 5).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("non-numeric BPS") {
    CHECK(UpdateTrackStatistics(StatsTag(kVideoUid, "8 kb/s", "1000"), kVideoUid, 5)
              .status()
              .code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("a non-numeric value in another track's tag is not looked at") {
    const Bytes tags =
        testing::Cat({StatsTag(kAudioUid, "n/a", "n/a"), StatsTag(kVideoUid, "8000", "1000")});
    absl::StatusOr<Bytes> out = UpdateTrackStatistics(tags, kVideoUid, 500);
    REQUIRE(out.ok());
    CHECK(*out ==
          testing::Cat({StatsTag(kAudioUid, "n/a", "n/a"), StatsTag(kVideoUid, "4000", "500")}));
  }
  SECTION("a CRC-32") {
    const Bytes tags =
        testing::Cat({El(id::kCrc32, Bytes(4, 0x5A)), StatsTag(kVideoUid, "8000", "1000")});
    CHECK(UpdateTrackStatistics(tags, kVideoUid, 500).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("malformed data") {
    Bytes tags = StatsTag(kVideoUid, "8000", "1000");
    tags.pop_back();
    CHECK(UpdateTrackStatistics(tags, kVideoUid, 500).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mkvfleet::matroska
