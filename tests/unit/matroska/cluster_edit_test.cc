// Rewriting one Cluster: an identity FrameFn gives the cluster back byte for byte; changed
// frames give the right sizes, widths, offsets, Position and PrevSize; everything the editor
// does not rewrite is refused with its documented code.
#include "common/matroska/cluster_edit.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <vector>

#include "tests/unit/matroska/ebml_builder.h"

namespace mkvfleet::matroska {
namespace {

using testing::Bytes;
using testing::El;
using testing::Uint;
namespace id = testing::id;

using Transform = std::function<Bytes(const Bytes&)>;

const Bytes kV1 = testing::Pattern(200, 0x10);  // video, SimpleBlock, keyframe
const Bytes kV2 = testing::Pattern(100, 0x20);  // video, SimpleBlock
const Bytes kV3 = testing::Pattern(60, 0x30);   // video, Block in a BlockGroup
const Bytes kA1 = testing::Pattern(50, 0x60);   // audio, laced SimpleBlock
const Bytes kA2 = testing::Pattern(30, 0x70);   // audio, Block in a BlockGroup

struct Shape {
  uint64_t position = 5000;
  uint64_t prev_size = 300;
  int sb1 = 2, sb2 = 8, block = 4, group = 2;  // size widths
};

// The cluster's children: video is track 1, audio track 2; `f` makes the video frames.
std::vector<Bytes> Children(const Shape& s, const Transform& f) {
  return {
      Uint(id::kTimestamp, 1000),
      Uint(id::kPosition, s.position),
      Uint(id::kPrevSize, s.prev_size),
      El(id::kSimpleBlock, testing::BlockData(1, 0, 0x80, f(kV1)), s.sb1),
      El(id::kSimpleBlock, testing::BlockData(2, 0, 0x82, kA1)),  // Xiph-laced audio: kept
      El(id::kSimpleBlock, testing::BlockData(1, 40, 0x00, f(kV2)), s.sb2),
      El(id::kBlockGroup,
         testing::Cat({El(id::kBlock, testing::BlockData(1, 80, 0x00, f(kV3)), s.block),
                       El(id::kReferenceBlock, Bytes{0xD8})}),  // -40
         s.group),
      El(id::kBlockGroup, testing::Cat({El(id::kBlock, testing::BlockData(2, 20, 0x00, kA2)),
                                        Uint(id::kBlockDuration, 20)})),
      El(id::kVoid, Bytes(10, 0)),
  };
}

// {offset of each SimpleBlock / BlockGroup in the cluster data}.
std::vector<uint64_t> BlockOffsets(const std::vector<Bytes>& children) {
  std::vector<uint64_t> offsets;
  uint64_t at = 0;
  for (const Bytes& c : children) {
    if (c[0] == id::kSimpleBlock || c[0] == id::kBlockGroup) offsets.push_back(at);
    at += c.size();
  }
  return offsets;
}

Bytes Join(const std::vector<absl::Span<const uint8_t>>& pieces) {
  Bytes out;
  for (absl::Span<const uint8_t> p : pieces) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes Identity(const Bytes& f) { return f; }
Bytes FirstHalf(const Bytes& f) { return Bytes(f.begin(), f.begin() + f.size() / 2); }
Bytes Times100(const Bytes& f) {
  Bytes out;
  for (int i = 0; i < 100; ++i) out.insert(out.end(), f.begin(), f.end());
  return out;
}

// A FrameFn applying `t`, recording the frames it was given.
FrameFn Apply(Transform t, std::vector<Bytes>* seen = nullptr) {
  return [t, seen](absl::Span<const uint8_t> frame, std::vector<uint8_t>& out) {
    const Bytes in(frame.begin(), frame.end());
    if (seen != nullptr) seen->push_back(in);
    const Bytes made = t(in);
    out.insert(out.end(), made.begin(), made.end());
    return absl::OkStatus();
  };
}

TEST_CASE("ClusterEditor with an identity FrameFn gives the cluster back byte for byte") {
  const Shape shape;
  const std::vector<Bytes> kids = Children(shape, Identity);
  const Bytes data = testing::Cat(
      {kids[0], kids[1], kids[2], kids[3], kids[4], kids[5], kids[6], kids[7], kids[8]});
  const Bytes cluster = El(id::kCluster, data, 8);

  std::vector<Bytes> seen;
  ClusterEditor editor(1, Apply(Identity, &seen));
  REQUIRE(editor.Edit(data, 8, 5000, 300).ok());
  CHECK(Join(editor.pieces()) == cluster);
  CHECK(editor.new_size() == cluster.size());
  CHECK(editor.new_header_size() == 12);
  REQUIRE_FALSE(editor.pieces().empty());
  CHECK(editor.pieces().front().size() == 12);

  const std::vector<uint64_t> offsets = BlockOffsets(kids);
  REQUIRE(editor.blocks().size() == offsets.size());
  for (size_t i = 0; i < offsets.size(); ++i) {
    CHECK(editor.blocks()[i].first == offsets[i]);
    CHECK(editor.blocks()[i].second == offsets[i]);
  }
  CHECK(seen == std::vector<Bytes>{kV1, kV2, kV3});  // video frames only, in order
  CHECK(editor.video_frames() == 3);
  CHECK(editor.other_blocks() == 2);
  CHECK(editor.video_bytes() == 360);
}

TEST_CASE("ClusterEditor with shorter frames: sizes, widths, offsets, Position, PrevSize") {
  const Shape in_shape;
  const std::vector<Bytes> in = Children(in_shape, Identity);
  const Bytes data = testing::Cat({in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7], in[8]});

  Shape out_shape;  // same widths (they still fit), new Position (3 bytes) and PrevSize
  out_shape.position = 70000;
  out_shape.prev_size = 16000;
  const std::vector<Bytes> out = Children(out_shape, FirstHalf);
  const Bytes expected_data =
      testing::Cat({out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7], out[8]});
  const Bytes expected = El(id::kCluster, expected_data, 8);

  ClusterEditor editor(1, Apply(FirstHalf));
  REQUIRE(editor.Edit(data, 8, 70000, 16000).ok());
  const Bytes got = Join(editor.pieces());
  CHECK(got == expected);
  CHECK(editor.new_size() == expected.size());
  CHECK(editor.new_header_size() == 12);
  CHECK(editor.video_frames() == 3);
  CHECK(editor.other_blocks() == 2);
  CHECK(editor.video_bytes() == 180);

  // Each recorded new offset points at the rewritten block in the output.
  const std::vector<uint64_t> old_offsets = BlockOffsets(in);
  const std::vector<uint64_t> new_offsets = BlockOffsets(out);
  const std::vector<const Bytes*> blocks = {&out[3], &out[4], &out[5], &out[6], &out[7]};
  REQUIRE(editor.blocks().size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(editor.blocks()[i].first == old_offsets[i]);
    CHECK(editor.blocks()[i].second == new_offsets[i]);
    const size_t at = 12 + editor.blocks()[i].second;
    REQUIRE(at + blocks[i]->size() <= got.size());
    CHECK(Bytes(got.begin() + at, got.begin() + at + blocks[i]->size()) == *blocks[i]);
  }
}

TEST_CASE("ClusterEditor grows size fields that no longer fit") {
  Shape in_shape;
  in_shape.sb2 = 1;  // 104 bytes: fits 1 byte, 10004 does not
  const std::vector<Bytes> in = Children(in_shape, Identity);
  const Bytes data = testing::Cat({in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7], in[8]});
  REQUIRE(data.size() <= 16382);

  Shape out_shape = in_shape;
  out_shape.sb1 = 3;  // 20004 > 16382
  out_shape.sb2 = 2;
  out_shape.block = 4;  // kept
  out_shape.group = 2;  // 6004 + 4 + 3 fits 2 bytes: kept
  const std::vector<Bytes> out = Children(out_shape, Times100);
  const Bytes expected_data =
      testing::Cat({out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7], out[8]});
  REQUIRE(expected_data.size() > 16382);

  ClusterEditor editor(1, Apply(Times100));
  REQUIRE(editor.Edit(data, 2, 5000, 300).ok());
  CHECK(Join(editor.pieces()) == El(id::kCluster, expected_data, 3));
  CHECK(editor.new_header_size() == 7);
  CHECK(editor.video_bytes() == 36000);
}

TEST_CASE("ClusterEditor: PrevSize 0 keeps the stored value; missing children are not added") {
  const Bytes prev_wide = El(id::kPrevSize, Bytes{0x00, 0x00, 0x01, 0x2C});  // 300 in 4 bytes
  const Bytes sb = El(id::kSimpleBlock, testing::BlockData(1, 0, 0x80, kV2));
  const Bytes data = testing::Cat({Uint(id::kTimestamp, 0), prev_wide, sb});
  ClusterEditor editor(1, Apply(Identity));
  REQUIRE(editor.Edit(data, 0, 123456, 0).ok());
  CHECK(Join(editor.pieces()) == El(id::kCluster, data));  // no Position child: none added

  REQUIRE(editor.Edit(data, 0, 0, 77).ok());
  CHECK(Join(editor.pieces()) ==
        El(id::kCluster, testing::Cat({Uint(id::kTimestamp, 0), Uint(id::kPrevSize, 77, 4), sb})));  // stored width kept
  CHECK(editor.video_frames() == 2);  // totals over both edits
  CHECK(editor.video_bytes() == 200);
}

TEST_CASE("ClusterEditor reads 2-byte track numbers in blocks") {
  // Track 200 as a 2-byte vint (0x40 0xC8); track 72 as a 1-byte vint (0xC8).
  const Bytes video = El(id::kSimpleBlock, testing::Cat({{0x40, 0xC8, 0x00, 0x00, 0x80}, kV1}));
  const Bytes other = El(id::kSimpleBlock, testing::Cat({{0xC8, 0x00, 0x00, 0x80}, kV2}));
  const Bytes data = testing::Cat({video, other});
  std::vector<Bytes> seen;
  ClusterEditor editor(200, Apply(FirstHalf, &seen));
  REQUIRE(editor.Edit(data, 0, 0, 0).ok());
  CHECK(seen == std::vector<Bytes>{kV1});
  CHECK(Join(editor.pieces()) ==
        El(id::kCluster,
           testing::Cat({El(id::kSimpleBlock,
                            testing::Cat({{0x40, 0xC8, 0x00, 0x00, 0x80}, FirstHalf(kV1)}), 2),
                         other})));
}

// ffmpeg writes a CRC-32 first in every cluster: it is restated over the new data, in its
// stored size width; an identity edit gives the cluster back byte for byte.
TEST_CASE("ClusterEditor restates a leading CRC-32") {
  const Shape shape;
  auto with_crc = [&](const Transform& f, int crc_size_width) {
    const std::vector<Bytes> kids = Children(shape, f);
    Bytes rest;
    for (const Bytes& k : kids) rest.insert(rest.end(), k.begin(), k.end());
    Bytes crc = testing::Crc32El(rest);
    if (crc_size_width == 2) crc = El(id::kCrc32, Bytes(crc.begin() + 2, crc.end()), 2);
    return El(id::kCluster, testing::Cat({crc, rest}), 8);
  };
  for (int width : {1, 2}) {
    CAPTURE(width);
    const Bytes source = with_crc(Identity, width);
    const Bytes data(source.begin() + 12, source.end());  // after the 4-byte ID, 8-byte size
    ClusterEditor same(1, Apply(Identity));
    REQUIRE(same.Edit(data, 8, shape.position, shape.prev_size).ok());
    CHECK(Join(same.pieces()) == source);

    ClusterEditor halves(1, Apply(FirstHalf));
    REQUIRE(halves.Edit(data, 8, shape.position, shape.prev_size).ok());
    CHECK(Join(halves.pieces()) == with_crc(FirstHalf, width));
    CHECK(halves.video_frames() == 3);
  }
}

TEST_CASE("ClusterEditor refuses what it does not rewrite") {
  ClusterEditor editor(1, Apply(Identity));
  auto code = [&](const Bytes& data) { return editor.Edit(data, 0, 0, 0).code(); };
  const Bytes sb = El(id::kSimpleBlock, testing::BlockData(1, 0, 0x80, kV1));

  SECTION("laced video SimpleBlock") {
    for (uint8_t lacing : {0x02, 0x04, 0x06}) {
      CAPTURE(lacing);
      CHECK(code(El(id::kSimpleBlock, testing::BlockData(1, 0, 0x80 | lacing, kV1))) ==
            absl::StatusCode::kFailedPrecondition);
    }
  }
  SECTION("laced video Block in a BlockGroup") {
    const Bytes group = El(id::kBlockGroup, El(id::kBlock, testing::BlockData(1, 0, 0x06, kV1)));
    CHECK(code(group) == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("CRC-32 other than the cluster's first child, or not of 4 bytes") {
    CHECK(code(testing::Cat({Uint(id::kTimestamp, 0), El(id::kCrc32, Bytes(4, 0)), sb})) ==
          absl::StatusCode::kFailedPrecondition);
    CHECK(code(testing::Cat({El(id::kCrc32, Bytes(3, 0)), sb})) ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("CRC-32 in a BlockGroup") {
    const Bytes group =
        El(id::kBlockGroup, testing::Cat({El(id::kCrc32, Bytes(4, 0)),
                                          El(id::kBlock, testing::BlockData(1, 0, 0, kV1))}));
    CHECK(code(group) == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a child running past the cluster's end") {
    Bytes data = testing::Cat({Uint(id::kTimestamp, 0), sb});
    data.pop_back();
    CHECK(code(data) == absl::StatusCode::kDataLoss);
  }
  SECTION("a child of unknown size") {
    CHECK(code(testing::Cat({Uint(id::kTimestamp, 0), Bytes{0xA0, 0xFF}, sb})) ==
          absl::StatusCode::kDataLoss);
  }
  SECTION("a malformed BlockGroup") {
    CHECK(code(El(id::kBlockGroup, Bytes{0xA1, 0x85, 0x81, 0x00})) == absl::StatusCode::kDataLoss);
  }
  SECTION("a SimpleBlock shorter than a block header") {
    CHECK(code(El(id::kSimpleBlock, Bytes{0x81, 0x00})) == absl::StatusCode::kDataLoss);
  }
  SECTION("a block with an invalid track number") {
    CHECK(code(El(id::kSimpleBlock, Bytes{0x00, 0x00, 0x00, 0x80, 0x01})) ==
          absl::StatusCode::kDataLoss);
  }
  SECTION("an empty Block") {
    CHECK(code(El(id::kBlockGroup, El(id::kBlock, Bytes{}))) == absl::StatusCode::kDataLoss);
  }
}

TEST_CASE("ClusterEditor passes a FrameFn error through with its code") {
  FrameFn failing = [](absl::Span<const uint8_t>, std::vector<uint8_t>&) {
    return absl::ResourceExhaustedError("rpu converter ran out of memory");
  };
  ClusterEditor editor(1, failing);
  const Bytes sb = El(id::kSimpleBlock, testing::BlockData(1, 0, 0x80, kV1));
  absl::Status s = editor.Edit(testing::Cat({Uint(id::kTimestamp, 0), sb}), 0, 0, 0);
  CHECK(s.code() == absl::StatusCode::kResourceExhausted);
  CHECK_THAT(std::string(s.message()), Catch::Contains("rpu converter ran out of memory"));

  const Bytes group = El(id::kBlockGroup, El(id::kBlock, testing::BlockData(1, 0, 0, kV1)));
  s = editor.Edit(group, 0, 0, 0);
  CHECK(s.code() == absl::StatusCode::kResourceExhausted);

  // An audio-only cluster never calls the FrameFn.
  const Bytes audio = El(id::kSimpleBlock, testing::BlockData(2, 0, 0x80, kA1));
  REQUIRE(editor.Edit(audio, 0, 0, 0).ok());
  CHECK(Join(editor.pieces()) == El(id::kCluster, audio));
}

}  // namespace
}  // namespace mkvfleet::matroska
