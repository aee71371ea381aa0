// The RPU repair rule on literal cases: frames without an RPU at the start, in the middle, at the
// end and right after a scene start, a frame with two RPUs, and a title without any.
#include "common/dovi/rpu_repair.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "common/dovi/rpu.h"
#include "tests/unit/dovi/dovi_test_util.h"

namespace mkvfleet::dovi {
namespace {

using Kind = RpuRepairNote::Kind;

// A real MEL RPU made distinct per frame: level 1 values from `frame`, the scene flag given.
std::vector<uint8_t> FrameRpu(int frame, bool scene_start) {
  absl::StatusOr<Rpu> rpu = ParseRpu(testing::SinglePayload("mel_orig.bin"));
  REQUIRE(rpu.ok());
  REQUIRE(SetLevel1(*rpu, static_cast<uint16_t>(frame), static_cast<uint16_t>(3000 + frame),
                    static_cast<uint16_t>(1500 + frame))
              .ok());
  rpu->vdr_dm_data->scene_refresh_flag = scene_start ? 1 : 0;
  absl::StatusOr<std::vector<uint8_t>> bytes = WriteRpu(*rpu);
  REQUIRE(bytes.ok());
  return *bytes;
}

// Frames 0..n-1, frame 0 (and those in `scene_starts`) starting a scene; those in `missing` have
// no RPU.
std::vector<FrameRpus> Title(int n, std::vector<int> missing, std::vector<int> scene_starts = {}) {
  std::vector<FrameRpus> frames(static_cast<size_t>(n));
  for (int f = 0; f < n; ++f) {
    if (std::find(missing.begin(), missing.end(), f) != missing.end()) continue;
    const bool start =
        f == 0 || std::find(scene_starts.begin(), scene_starts.end(), f) != scene_starts.end();
    frames[static_cast<size_t>(f)].push_back(FrameRpu(f, start));
  }
  return frames;
}

struct Seen {
  uint64_t scene_refresh;
  uint16_t max_pq;  // identifies the frame the RPU came from (3000 + frame)
};
Seen Look(const std::vector<uint8_t>& payload) {
  absl::StatusOr<Rpu> rpu = ParseRpu(payload);
  REQUIRE(rpu.ok());
  const DmLevel1* l1 = rpu->vdr_dm_data->level1();
  REQUIRE(l1 != nullptr);
  return Seen{rpu->vdr_dm_data->scene_refresh_flag, l1->max_pq};
}

TEST_CASE("a title with one RPU per frame is left byte for byte", "[dovi][repair]") {
  const std::vector<FrameRpus> title = Title(4, {});
  absl::StatusOr<RepairedRpus> r = RepairRpus(title);
  REQUIRE(r.ok());
  CHECK(r->notes.empty());
  for (size_t f = 0; f < title.size(); ++f) CHECK(r->rpus[f] == title[f][0]);
}

TEST_CASE("a frame without an RPU in the middle gets the previous frame's", "[dovi][repair]") {
  const std::vector<FrameRpus> title = Title(5, {2});
  absl::StatusOr<RepairedRpus> r = RepairRpus(title);
  REQUIRE(r.ok());
  REQUIRE(r->rpus.size() == 5);
  CHECK(r->rpus[2] == title[1][0]);  // flag already clear: the very same bytes
  CHECK(r->rpus[3] == title[3][0]);
  CHECK(r->notes == std::vector<RpuRepairNote>{{Kind::kMissing, 2, 1, false, 0}});
  CHECK(DescribeRepair(r->notes[0]) == "frame 2: no RPU, copy of frame 1's (scene_refresh_flag 0)");
}

TEST_CASE("frames without an RPU at the end get the last frame's", "[dovi][repair]") {
  const std::vector<FrameRpus> title = Title(5, {3, 4});
  absl::StatusOr<RepairedRpus> r = RepairRpus(title);
  REQUIRE(r.ok());
  CHECK(r->rpus[3] == title[2][0]);
  CHECK(r->rpus[4] == title[2][0]);
  CHECK(r->notes == std::vector<RpuRepairNote>{{Kind::kMissing, 3, 2, false, 0},
                                               {Kind::kMissing, 4, 3, false, 0}});
}

TEST_CASE("frames without an RPU at the start get the next one's, the first a scene start",
          "[dovi][repair]") {
  const std::vector<FrameRpus> title = Title(5, {0, 1});
  absl::StatusOr<RepairedRpus> r = RepairRpus(title);
  REQUIRE(r.ok());
  const Seen f0 = Look(r->rpus[0]);
  CHECK(f0.scene_refresh == 1);      // the title's first frame starts a scene
  CHECK(f0.max_pq == 3002);          // frame 2's metadata
  CHECK(r->rpus[1] == title[2][0]);  // inside the scene: frame 2's, flag clear as it was
  CHECK(r->rpus[2] == title[2][0]);
  CHECK(r->notes == std::vector<RpuRepairNote>{{Kind::kMissing, 0, 2, true, 0},
                                               {Kind::kMissing, 1, 2, false, 0}});
}

TEST_CASE("a copy of a scene start's RPU inside the scene has the flag cleared", "[dovi][repair]") {
  // Frame 3 starts a scene; frame 4, inside it, lost its RPU.
  const std::vector<FrameRpus> title = Title(6, {4}, {3});
  absl::StatusOr<RepairedRpus> r = RepairRpus(title);
  REQUIRE(r.ok());
  CHECK(Look(r->rpus[3]).scene_refresh == 1);  // untouched
  const Seen f4 = Look(r->rpus[4]);
  CHECK(f4.scene_refresh == 0);
  CHECK(f4.max_pq == 3003);
  CHECK(r->notes == std::vector<RpuRepairNote>{{Kind::kMissing, 4, 3, false, 0}});
}

TEST_CASE("a scene start that lost its RPU joins the previous scene", "[dovi][repair]") {
  // Frame 3 started a scene but its RPU (and so its flag) is gone: nothing in the stream says so.
  const std::vector<FrameRpus> title = Title(6, {3}, {3});
  absl::StatusOr<RepairedRpus> r = RepairRpus(title);
  REQUIRE(r.ok());
  CHECK(r->rpus[3] == title[2][0]);
  CHECK(Look(r->rpus[3]).scene_refresh == 0);
}

TEST_CASE("a frame with two RPUs keeps the first", "[dovi][repair]") {
  std::vector<FrameRpus> title = Title(4, {});
  title[1].push_back(FrameRpu(99, false));
  absl::StatusOr<RepairedRpus> r = RepairRpus(title);
  REQUIRE(r.ok());
  CHECK(r->rpus[1] == title[1][0]);
  CHECK(r->notes == std::vector<RpuRepairNote>{{Kind::kDuplicate, 1, -1, false, 2}});
  CHECK(DescribeRepair(r->notes[0]) == "frame 1: 2 RPUs, kept the first");
}

TEST_CASE("a title without any RPU cannot be repaired", "[dovi][repair]") {
  const std::vector<FrameRpus> title(3);
  absl::StatusOr<RepairedRpus> r = RepairRpus(title);
  CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(r.status().message()) ==
        "none of the 3 frames carries an RPU: nothing to copy");
}

TEST_CASE("an RPU that does not parse is named with the frames", "[dovi][repair]") {
  std::vector<FrameRpus> title = Title(3, {2});
  title[1][0] = {0x19, 0x01, 0x02};
  absl::StatusOr<RepairedRpus> r = RepairRpus(title);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).rfind("RPU of frame 1 (to copy to frame 2): ", 0) == 0);
}

TEST_CASE("WithSceneRefresh sets or clears the flag with a valid CRC", "[dovi][repair]") {
  const std::vector<uint8_t> plain = FrameRpu(7, false);
  absl::StatusOr<std::vector<uint8_t>> same = WithSceneRefresh(plain, false);
  REQUIRE(same.ok());
  CHECK(*same == plain);
  absl::StatusOr<std::vector<uint8_t>> set = WithSceneRefresh(plain, true);
  REQUIRE(set.ok());
  CHECK(*set != plain);
  CHECK(Look(*set).scene_refresh == 1);  // parses: the CRC was recomputed
  CHECK(Look(*set).max_pq == 3007);
}

}  // namespace
}  // namespace mkvfleet::dovi
