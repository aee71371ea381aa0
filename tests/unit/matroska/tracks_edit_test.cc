// The video track lookup and the in-place Dolby Vision record edit, on Tracks data built from
// the spec: the edit may touch only the mapping's type and record bytes.
#include "common/matroska/tracks_edit.h"

#include <algorithm>
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

const Bytes kOldRecord = {0x01, 0x00, 0x0E, 0x0F, 0x60, 0, 0, 0, 0, 0, 0, 0,
                          0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0};  // profile 7
const Bytes kNewRecord = testing::Pattern(24, 0xA0);
const Bytes kDvcc = {'d', 'v', 'c', 'C'};
const Bytes kDvvc = {'d', 'v', 'v', 'C'};
constexpr uint64_t kVideoUid = 0x1122334455667788;

Bytes AudioEntry() {
  return Master(id::kTrackEntry,
                {Uint(id::kTrackNumber, 2), Uint(id::kTrackUid, 0xA0D1), Uint(id::kTrackType, 2),
                 Str(id::kCodecId, "A_AC3"), Master(id::kAudio, {Uint(id::kChannels, 6)})});
}

Bytes SubtitleEntry() {
  return Master(id::kTrackEntry, {Uint(id::kTrackNumber, 3), Uint(id::kTrackUid, 0x5B),
                                  Uint(id::kTrackType, 17), Str(id::kCodecId, "S_TEXT/UTF8")});
}

Bytes DoviMapping(const Bytes& type, const Bytes& record) {
  return Master(id::kBlockAdditionMapping,
                {Str(id::kBlockAddIdName, "Dolby Vision configuration"),
                 El(id::kBlockAddIdType, type), El(id::kBlockAddIdExtraData, record)});
}

// A video TrackEntry as mkvmerge writes one for HEVC; `extra` goes after Video.
Bytes VideoEntry(std::initializer_list<Bytes> extra, uint64_t number = 1) {
  Bytes data = testing::Cat(
      {Uint(id::kTrackNumber, number), Uint(id::kTrackUid, kVideoUid), Uint(id::kTrackType, 1),
       Uint(id::kFlagLacing, 0), Str(id::kLanguage, "und"), Str(id::kCodecId, "V_MPEGH/ISO/HEVC"),
       El(id::kCodecPrivate, testing::Pattern(40, 0x01)),
       Master(id::kVideo, {Uint(id::kPixelWidth, 3840), Uint(id::kPixelHeight, 2160)})});
  for (const Bytes& e : extra) data.insert(data.end(), e.begin(), e.end());
  return El(id::kTrackEntry, data);
}

// Where `needle` starts in `hay` (it must occur exactly once).
size_t FindOnce(const Bytes& hay, const Bytes& needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end());
  REQUIRE(it != hay.end());
  REQUIRE(std::search(it + 1, hay.end(), needle.begin(), needle.end()) == hay.end());
  return static_cast<size_t>(it - hay.begin());
}

TEST_CASE("FindVideoTrack reads number, UID, codec and the Dolby Vision mapping") {
  const Bytes tracks =
      testing::Cat({AudioEntry(), VideoEntry({DoviMapping(kDvcc, kOldRecord)}), SubtitleEntry()});
  absl::StatusOr<VideoTrackEntry> v = FindVideoTrack(tracks);
  REQUIRE(v.ok());
  CHECK(v->number == 1);
  CHECK(v->uid == kVideoUid);
  CHECK(v->codec_id == "V_MPEGH/ISO/HEVC");
  CHECK(v->codec_private == testing::Pattern(40, 0x01));
  CHECK(v->has_dovi_mapping);
  CHECK_FALSE(v->has_content_encodings);
}

TEST_CASE("FindVideoTrack: dvvC mapping, ContentEncodings, NUL-padded CodecID") {
  const Bytes tracks = testing::Cat(
      {VideoEntry({Master(id::kContentEncodings, {Master(id::kContentEncoding, {Uint(0x5031, 0)})}),
                   DoviMapping(kDvvc, kOldRecord)},
                  5),
       AudioEntry()});
  absl::StatusOr<VideoTrackEntry> v = FindVideoTrack(tracks);
  REQUIRE(v.ok());
  CHECK(v->number == 5);
  CHECK(v->has_dovi_mapping);
  CHECK(v->has_content_encodings);

  const Bytes padded =
      Master(id::kTrackEntry, {Uint(id::kTrackNumber, 1), Uint(id::kTrackType, 1),
                               El(id::kCodecId, Bytes{'V', '_', 'A', 'V', '1', 0, 0})});
  absl::StatusOr<VideoTrackEntry> p = FindVideoTrack(padded);
  REQUIRE(p.ok());
  CHECK(p->codec_id == "V_AV1");
  CHECK(p->uid == 0);
  CHECK(p->codec_private.empty());
  CHECK_FALSE(p->has_dovi_mapping);
}

TEST_CASE("FindVideoTrack: a mapping of another type is not Dolby Vision") {
  const Bytes itut35 = {'i', 't', 'u', '4'};
  const Bytes tracks = VideoEntry({DoviMapping(itut35, Bytes(24, 0))});
  absl::StatusOr<VideoTrackEntry> v = FindVideoTrack(tracks);
  REQUIRE(v.ok());
  CHECK_FALSE(v->has_dovi_mapping);
}

TEST_CASE("FindVideoTrack errors") {
  SECTION("no video track") {
    const Bytes tracks = testing::Cat({AudioEntry(), SubtitleEntry()});
    CHECK(FindVideoTrack(tracks).status().code() == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("two video tracks") {
    const Bytes tracks = testing::Cat({VideoEntry({}, 1), AudioEntry(), VideoEntry({}, 4)});
    CHECK(FindVideoTrack(tracks).status().code() == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("video track without a number") {
    const Bytes tracks = Master(id::kTrackEntry, {Uint(id::kTrackType, 1)});
    CHECK(FindVideoTrack(tracks).status().code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("malformed Tracks data") {
    Bytes tracks = testing::Cat({AudioEntry(), VideoEntry({})});
    tracks.pop_back();
    CHECK(FindVideoTrack(tracks).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ReplaceDoviRecord changes only the type and record bytes") {
  const Bytes tracks =
      testing::Cat({AudioEntry(), VideoEntry({DoviMapping(kDvcc, kOldRecord)}), SubtitleEntry()});
  const size_t type_at = FindOnce(tracks, Bytes{0x41, 0xE7, 0x84, 'd', 'v', 'c', 'C'}) + 3;
  const size_t record_at = FindOnce(tracks, Bytes{0x41, 0xED, 0x98}) + 3;  // 24-byte data

  absl::StatusOr<Bytes> out = ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvvc);
  REQUIRE(out.ok());
  REQUIRE(out->size() == tracks.size());
  CHECK(Bytes(out->begin() + type_at, out->begin() + type_at + 4) == kDvvc);
  CHECK(Bytes(out->begin() + record_at, out->begin() + record_at + 24) == kNewRecord);
  for (size_t i = 0; i < tracks.size(); ++i) {
    const bool edited = (i >= type_at && i < type_at + 4) || (i >= record_at && i < record_at + 24);
    if (!edited) {
      CAPTURE(i);
      REQUIRE((*out)[i] == tracks[i]);
    }
  }
  // The same Tracks, built with the new values, is what comes out.
  const Bytes expected =
      testing::Cat({AudioEntry(), VideoEntry({DoviMapping(kDvvc, kNewRecord)}), SubtitleEntry()});
  CHECK(*out == expected);

  absl::StatusOr<VideoTrackEntry> v = FindVideoTrack(*out);
  REQUIRE(v.ok());
  CHECK(v->has_dovi_mapping);
}

TEST_CASE("ReplaceDoviRecord zero-pads a longer stored record") {
  const Bytes old32 = testing::Pattern(32, 0x40);
  const Bytes tracks = VideoEntry({DoviMapping(kDvcc, old32), Uint(0x55EE, 0)});
  absl::StatusOr<Bytes> out = ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvvc);
  REQUIRE(out.ok());
  Bytes padded = kNewRecord;
  padded.resize(32, 0);
  CHECK(*out == VideoEntry({DoviMapping(kDvvc, padded), Uint(0x55EE, 0)}));
}

TEST_CASE("ReplaceDoviRecord can write dvcC over dvvC") {
  const Bytes tracks = VideoEntry({DoviMapping(kDvvc, kOldRecord)});
  absl::StatusOr<Bytes> out = ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvcc);
  REQUIRE(out.ok());
  CHECK(*out == VideoEntry({DoviMapping(kDvcc, kNewRecord)}));
}

// ffmpeg's matroskaenc writes a CRC-32 as the first child of every level-1 element (write_crc32=1
// by default). An in-place edit of the Tracks data must not leave the old checksum behind (it
// once did): refusing with FailedPrecondition, like the other editors, or a recomputed CRC-32.
TEST_CASE("ReplaceDoviRecord does not leave a stale Tracks CRC-32") {
  const Bytes entries = testing::Cat({AudioEntry(), VideoEntry({DoviMapping(kDvcc, kOldRecord)})});
  const Bytes tracks = testing::Cat({testing::Crc32El(entries), entries});
  REQUIRE(FindVideoTrack(tracks).ok());
  absl::StatusOr<Bytes> out = ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvvc);
  if (!out.ok()) {
    CHECK(out.status().code() == absl::StatusCode::kFailedPrecondition);
    return;
  }
  REQUIRE(out->size() == tracks.size());
  REQUIRE((*out)[0] == 0xBF);
  REQUIRE((*out)[1] == 0x84);
  const uint32_t stored = static_cast<uint32_t>((*out)[2]) | (*out)[3] << 8 | (*out)[4] << 16 |
                          static_cast<uint32_t>((*out)[5]) << 24;
  CHECK(stored == testing::BitwiseCrc32(Bytes(out->begin() + 6, out->end())));
}

TEST_CASE("ReplaceDoviRecord errors") {
  SECTION("no mapping") {
    const Bytes tracks = testing::Cat({AudioEntry(), VideoEntry({})});
    CHECK(ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvvc).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("a mapping of another type") {
    const Bytes tracks = VideoEntry({DoviMapping({'i', 't', 'u', '4'}, kOldRecord)});
    CHECK(ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvvc).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("two video tracks") {
    const Bytes tracks = testing::Cat({VideoEntry({DoviMapping(kDvcc, kOldRecord)}, 1),
                                       VideoEntry({DoviMapping(kDvcc, kOldRecord)}, 2)});
    CHECK(ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvvc).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("no video track") {
    CHECK(ReplaceDoviRecord(AudioEntry(), 1, kNewRecord, kFourccDvvc).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("another track number than the video's") {
    const Bytes tracks = VideoEntry({DoviMapping(kDvcc, kOldRecord)});
    CHECK(ReplaceDoviRecord(tracks, 2, kNewRecord, kFourccDvvc).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("stored record shorter than the new one") {
    const Bytes tracks = VideoEntry({DoviMapping(kDvcc, Bytes(20, 0x01))});
    CHECK(ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvvc).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("type stored in 5 bytes") {
    const Bytes tracks = VideoEntry({DoviMapping({0x00, 'd', 'v', 'c', 'C'}, kOldRecord)});
    CHECK(ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvvc).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("malformed mapping") {
    // A mapping whose data ends inside its last child.
    Bytes bad = {0x41, 0xE4, 0x88, 0x41, 0xE7, 0x84, 'd', 'v', 'c', 'C', 0x41};
    const Bytes tracks = VideoEntry({bad});
    CHECK(ReplaceDoviRecord(tracks, 1, kNewRecord, kFourccDvvc).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mkvfleet::matroska
