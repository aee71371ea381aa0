// Carrying Cues and SeekHead positions over a rewrite that moved clusters and blocks: values
// exact, other children kept, and every position that names nothing refused.
#include "common/matroska/positions_edit.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "tests/unit/matroska/ebml_builder.h"

namespace mkvfleet::matroska {
namespace {

using testing::Bytes;
using testing::El;
using testing::Master;
using testing::Uint;
namespace id = testing::id;

// Old -> new layout, Segment-relative. Cluster A grows its position (1 -> 2 bytes), B shrinks
// (3 -> 2 bytes), C has no blocks in the map.
LayoutMap TestMap() {
  LayoutMap map;
  map.AddElement(100, 100);                    // Info
  map.AddElement(150, 150);                    // Tracks
  map.AddCluster(200, 300, 212, 308);          // A
  map.AddBlock(215, 311);                      //   relative 3 -> 3
  map.AddBlock(712, 708);                      //   relative 500 -> 400
  map.AddCluster(70000, 60000, 70012, 60008);  // B
  map.AddBlock(70022, 60018);                  //   relative 10 -> 10
  map.AddBlock(70212, 60264);                  //   relative 200 -> 256
  map.AddBlock(70312, 60308);                  //   relative 300 -> 300
  map.AddCluster(80000, 70000, 80012, 70008);  // C
  map.AddElement(90000, 80000);                // Cues
  map.AddElement(95000, 85000);                // Tags
  return map;
}

TEST_CASE("LayoutMap finds exact old positions only") {
  const LayoutMap map = TestMap();
  CHECK(map.NewElementPosition(100) == 100u);
  CHECK(map.NewElementPosition(200) == 300u);
  CHECK(map.NewElementPosition(70000) == 60000u);
  CHECK(map.NewElementPosition(95000) == 85000u);
  CHECK_FALSE(map.NewElementPosition(0).has_value());
  CHECK_FALSE(map.NewElementPosition(201).has_value());
  CHECK_FALSE(map.NewElementPosition(99999).has_value());
  CHECK(map.NewBlockPosition(712) == 708u);
  CHECK(map.NewBlockPosition(70312) == 60308u);
  CHECK_FALSE(map.NewBlockPosition(713).has_value());
  CHECK_FALSE(map.NewBlockPosition(200).has_value());  // a cluster is not a block
  REQUIRE(map.ClusterData(70000).has_value());
  CHECK(map.ClusterData(70000)->first == 70012u);
  CHECK(map.ClusterData(70000)->second == 60008u);
  CHECK_FALSE(map.ClusterData(90000).has_value());  // Cues: an element, not a cluster
}

Bytes TrackPositions(uint64_t track, uint64_t cluster, int cluster_width,
                     std::initializer_list<Bytes> rest) {
  Bytes data = testing::Cat(
      {Uint(id::kCueTrack, track), Uint(id::kCueClusterPosition, cluster, cluster_width)});
  for (const Bytes& r : rest) data.insert(data.end(), r.begin(), r.end());
  return El(id::kCueTrackPositions, data);
}

TEST_CASE("RewriteCues carries cluster and relative positions over exactly") {
  // As stored: positions in 8 bytes (as some muxers write them), Cue sizes in 2 bytes.
  const Bytes cues = testing::Cat({
      Master(id::kCuePoint,
             {Uint(id::kCueTime, 0),
              TrackPositions(1, 200, 8,
                             {Uint(id::kCueRelativePosition, 3, 8), Uint(id::kCueDuration, 42),
                              Uint(id::kCueBlockNumber, 1)})},
             2),
      Master(id::kCuePoint,
             {Uint(id::kCueTime, 5000),
              TrackPositions(1, 70000, 0, {Uint(id::kCueRelativePosition, 10)}),
              TrackPositions(2, 70000, 0,
                             {Uint(id::kCueRelativePosition, 200), Uint(id::kCueCodecState, 0)}),
              TrackPositions(3, 70000, 0, {Uint(id::kCueRelativePosition, 300)})}),
      El(id::kVoid, Bytes(5, 0)),
      Master(id::kCuePoint, {Uint(id::kCueTime, 6000), TrackPositions(1, 80000, 0, {})}),
      Master(id::kCuePoint, {Uint(id::kCueTime, 7000),
                             TrackPositions(1, 200, 0, {Uint(id::kCueRelativePosition, 500)})}),
  });
  // Expected: the same cues, positions new, integers and sizes in their shortest form.
  const Bytes expected = testing::Cat({
      Master(id::kCuePoint,
             {Uint(id::kCueTime, 0),
              TrackPositions(1, 300, 0,
                             {Uint(id::kCueRelativePosition, 3), Uint(id::kCueDuration, 42),
                              Uint(id::kCueBlockNumber, 1)})}),
      Master(id::kCuePoint,
             {Uint(id::kCueTime, 5000),
              TrackPositions(1, 60000, 0, {Uint(id::kCueRelativePosition, 10)}),
              TrackPositions(2, 60000, 0,
                             {Uint(id::kCueRelativePosition, 256), Uint(id::kCueCodecState, 0)}),
              TrackPositions(3, 60000, 0, {Uint(id::kCueRelativePosition, 300)})}),
      El(id::kVoid, Bytes(5, 0)),
      Master(id::kCuePoint, {Uint(id::kCueTime, 6000), TrackPositions(1, 70000, 0, {})}),
      Master(id::kCuePoint, {Uint(id::kCueTime, 7000),
                             TrackPositions(1, 300, 0, {Uint(id::kCueRelativePosition, 400)})}),
  });
  absl::StatusOr<Bytes> out = RewriteCues(cues, TestMap());
  REQUIRE(out.ok());
  CHECK(*out == expected);
}

TEST_CASE("RewriteCues of an unchanged layout in shortest form is the identity") {
  LayoutMap same;
  same.AddCluster(4000, 4000, 4012, 4012);
  same.AddBlock(4020, 4020);
  const Bytes cues = Master(
      id::kCuePoint,
      {Uint(id::kCueTime, 90), TrackPositions(1, 4000, 0, {Uint(id::kCueRelativePosition, 8)})});
  absl::StatusOr<Bytes> out = RewriteCues(cues, same);
  REQUIRE(out.ok());
  CHECK(*out == cues);
  CHECK(*RewriteCues(Bytes{}, same) == Bytes{});
}

TEST_CASE("RewriteCues refuses what it cannot carry over") {
  const LayoutMap map = TestMap();
  auto code = [&](const Bytes& cues) { return RewriteCues(cues, map).status().code(); };
  auto point = [](const Bytes& track_positions) {
    return Master(id::kCuePoint, {Uint(id::kCueTime, 0), track_positions});
  };
  SECTION("a cluster position where no cluster starts") {
    CHECK(code(point(TrackPositions(1, 201, 0, {}))) == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a cluster position naming an element that is not a cluster") {
    CHECK(code(point(TrackPositions(1, 90000, 0, {}))) == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a relative position where no block starts") {
    CHECK(code(point(TrackPositions(1, 200, 0, {Uint(id::kCueRelativePosition, 4)}))) ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a CueReference") {
    const Bytes ref = Master(id::kCueReference, {Uint(id::kCueRefTime, 0)});
    CHECK(code(point(TrackPositions(1, 200, 0, {ref}))) == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a CueCodecState pointing into the file") {
    CHECK(code(point(TrackPositions(1, 200, 0, {Uint(id::kCueCodecState, 150)}))) ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a CRC-32") {
    const Bytes cues =
        testing::Cat({El(id::kCrc32, Bytes(4, 0x11)), point(TrackPositions(1, 200, 0, {}))});
    CHECK(code(cues) == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("malformed data") {
    Bytes cues = point(TrackPositions(1, 200, 0, {}));
    cues.pop_back();
    CHECK(code(cues) == absl::StatusCode::kInvalidArgument);
  }
}

Bytes Seek(uint32_t target, uint64_t position, int width) {
  return Master(id::kSeek, {El(id::kSeekId, testing::IdBytes(target)),
                            Uint(id::kSeekPosition, position, width)});
}

TEST_CASE("PatchSeekHead rewrites positions in place with their widths") {
  Bytes seekhead = testing::Cat({Seek(id::kInfo, 100, 1), Seek(id::kTracks, 150, 8),
                                 Seek(id::kCues, 90000, 4), Seek(id::kTags, 95000, 3),
                                 Master(id::kSeek, {El(id::kSeekId, testing::IdBytes(0x1941A469))}),
                                 El(id::kVoid, Bytes(20, 0))});
  const Bytes expected =
      testing::Cat({Seek(id::kInfo, 100, 1), Seek(id::kTracks, 150, 8), Seek(id::kCues, 80000, 4),
                    Seek(id::kTags, 85000, 3),
                    Master(id::kSeek, {El(id::kSeekId, testing::IdBytes(0x1941A469))}),
                    El(id::kVoid, Bytes(20, 0))});
  REQUIRE(seekhead.size() == expected.size());
  REQUIRE(PatchSeekHead(absl::MakeSpan(seekhead), TestMap()).ok());
  CHECK(seekhead == expected);
}

TEST_CASE("PatchSeekHead: a position that grows past its width is refused") {
  // Cluster A moves from 200 (1 byte) to 300 (2 bytes).
  Bytes seekhead = Seek(id::kCluster, 200, 1);
  const absl::Status s = PatchSeekHead(absl::MakeSpan(seekhead), TestMap());
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  // Stored in 2 bytes it fits.
  Bytes wide = Seek(id::kCluster, 200, 2);
  REQUIRE(PatchSeekHead(absl::MakeSpan(wide), TestMap()).ok());
  CHECK(wide == Seek(id::kCluster, 300, 2));
}

TEST_CASE("PatchSeekHead errors") {
  const LayoutMap map = TestMap();
  SECTION("a position where no element starts") {
    Bytes seekhead = testing::Cat({Seek(id::kInfo, 100, 1), Seek(id::kCues, 90001, 4)});
    CHECK(PatchSeekHead(absl::MakeSpan(seekhead), map).code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a CRC-32") {
    Bytes seekhead = testing::Cat({El(id::kCrc32, Bytes(4, 0)), Seek(id::kInfo, 100, 1)});
    CHECK(PatchSeekHead(absl::MakeSpan(seekhead), map).code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("malformed data") {
    Bytes seekhead = Seek(id::kInfo, 100, 1);
    seekhead.push_back(0x4D);
    CHECK(PatchSeekHead(absl::MakeSpan(seekhead), map).code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("a SeekPosition of 9 bytes") {
    Bytes seekhead = Master(id::kSeek, {El(id::kSeekId, testing::IdBytes(id::kInfo)),
                                        El(id::kSeekPosition, Bytes(9, 0))});
    CHECK(PatchSeekHead(absl::MakeSpan(seekhead), map).code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mkvfleet::matroska
