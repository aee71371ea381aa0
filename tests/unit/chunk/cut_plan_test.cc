// Cut plans on hand-made scene lists: exact forced counts, nearest scene start, mid-scene
// fallback, no tiny last chunk, auto counts for a 2-hour film, and every refusal; scene starts
// from real RPUs whose scene_refresh_flag was set by hand.
#include "common/chunk/cut_plan.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/dovi/rpu.h"
#include "common/dovi/rpu_file_bytes.h"
#include "tests/test_paths.h"

namespace mkvfleet::chunk {
namespace {

using Plan = std::vector<ChunkRange>;

Plan PlanOrFail(int64_t frames, int64_t num, int64_t den, const std::vector<int64_t>& scenes,
                const CutRequest& request) {
  absl::StatusOr<Plan> plan = PlanCuts(frames, num, den, scenes, request);
  INFO(plan.status().ToString());
  REQUIRE(plan.ok());
  return *plan;
}

// Contiguous from 0, indices in order, covering frame_count exactly.
void CheckCovers(const Plan& plan, int64_t frame_count) {
  int64_t next = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    INFO("chunk " << i);
    CHECK(plan[i].index == static_cast<int>(i));
    CHECK(plan[i].first_frame == next);
    CHECK(plan[i].frames >= 1);
    next += plan[i].frames;
  }
  CHECK(next == frame_count);
}

std::string ErrorOf(int64_t frames, int64_t num, int64_t den, const std::vector<int64_t>& scenes,
                    const CutRequest& request) {
  absl::StatusOr<Plan> plan = PlanCuts(frames, num, den, scenes, request);
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(plan.status().message());
}

TEST_CASE("forced N gives exactly N chunks of at least 2 frames", "[chunk][cut_plan]") {
  CHECK(
      PlanOrFail(10, 24, 1, {0}, CutRequest::Forced(5)) ==
      Plan{
          {0, 0, 2, true}, {1, 2, 2, false}, {2, 4, 2, false}, {3, 6, 2, false}, {4, 8, 2, false}});
  for (int n : {2, 3, 7, 16}) {
    for (int64_t frames : {int64_t{2} * n, int64_t{1001}, int64_t{100000}}) {
      INFO("n " << n << " frames " << frames);
      std::vector<int64_t> scenes;
      for (int64_t s = 0; s < frames; s += 37 + s % 11) scenes.push_back(s);
      const Plan plan = PlanOrFail(frames, 24000, 1001, scenes, CutRequest::Forced(n));
      CHECK(plan.size() == static_cast<size_t>(n));
      CheckCovers(plan, frames);
      for (const ChunkRange& c : plan) CHECK(c.frames >= 2);
    }
  }
}

TEST_CASE("each cut takes the scene start nearest the ideal frame", "[chunk][cut_plan]") {
  // Ideal frames 250, 500, 750: 260 beats 230, 510 is alone, 740 beats 800.
  CHECK(PlanOrFail(1000, 24, 1, {0, 230, 260, 510, 740, 800}, CutRequest::Forced(4)) ==
        Plan{{0, 0, 260, true}, {1, 260, 250, true}, {2, 510, 230, true}, {3, 740, 260, true}});
  // A tie goes to the earlier scene start.
  CHECK(PlanOrFail(100, 24, 1, {0, 45, 55}, CutRequest::Forced(2)) ==
        Plan{{0, 0, 45, true}, {1, 45, 55, true}});
  // Frame 0 is a start even when not listed.
  CHECK(PlanOrFail(100, 24, 1, {50}, CutRequest::Forced(2)) ==
        Plan{{0, 0, 50, true}, {1, 50, 50, true}});
  // Ideal frames stay anchored: a late first cut (370 for 250) does not push the others. 490
  // would make a 120-frame chunk (under half a share), so 620 serves 500; 760 serves 750.
  CHECK(PlanOrFail(1000, 24, 1, {0, 370, 490, 620, 760}, CutRequest::Forced(4)) ==
        Plan{{0, 0, 370, true}, {1, 370, 250, true}, {2, 620, 140, true}, {3, 760, 240, true}});
}

TEST_CASE("a cut falls mid-scene only when no scene start is usable", "[chunk][cut_plan]") {
  // Nothing within 125 frames of 250 -> mid-scene at 250; 600 is usable for 500 (a 350-frame
  // chunk is within 3/2 of 250); 750 has nothing within [725, 875].
  CHECK(PlanOrFail(1000, 24, 1, {0, 600}, CutRequest::Forced(4)) ==
        Plan{{0, 0, 250, true}, {1, 250, 350, false}, {2, 600, 150, true}, {3, 750, 250, false}});
  // Scene starts that would make a 1-frame chunk are not usable: frames 1 and 3 of 4.
  CHECK(PlanOrFail(4, 24, 1, {0, 1, 3}, CutRequest::Forced(2)) ==
        Plan{{0, 0, 2, true}, {1, 2, 2, false}});
  // A far scene start is not taken over a balanced mid-scene cut (10 frames into 1000).
  CHECK(PlanOrFail(1000, 24, 1, {0, 10}, CutRequest::Forced(2)) ==
        Plan{{0, 0, 500, true}, {1, 500, 500, false}});
  // After a cut at 370, 380 would make a 10-frame chunk: the second cut falls mid-scene on its
  // ideal frame 500.
  CHECK(PlanOrFail(1000, 24, 1, {0, 370, 380}, CutRequest::Forced(4)) ==
        Plan{{0, 0, 370, true}, {1, 370, 130, true}, {2, 500, 250, false}, {3, 750, 250, false}});
}

TEST_CASE("no tiny last chunk", "[chunk][cut_plan]") {
  CutRequest request = CutRequest::Auto(1);  // 3 chunks of ~100 s at 1 fps
  request.min_chunk_seconds = 10;
  request.max_chunk_seconds = 1000;
  // A scene start 10 frames before the end is not used for a 10-frame last chunk.
  CHECK(PlanOrFail(300, 1, 1, {0, 100, 290}, request) ==
        Plan{{0, 0, 100, true}, {1, 100, 100, true}, {2, 200, 100, false}});
  CHECK(PlanOrFail(1000, 24, 1, {0, 250, 500, 990}, CutRequest::Forced(4)) ==
        Plan{{0, 0, 250, true}, {1, 250, 250, true}, {2, 500, 250, true}, {3, 750, 250, false}});
  // Whatever the scenes, every chunk, the last included, has at least half an even share.
  for (int n : {2, 3, 5, 9}) {
    for (int64_t frames : {int64_t{40}, int64_t{1000}, int64_t{54321}}) {
      std::vector<int64_t> scenes;
      for (int64_t s = 0; s < frames; s += 1 + (s * 31 + 7) % (frames / 3)) scenes.push_back(s);
      INFO("n " << n << " frames " << frames);
      const Plan plan = PlanOrFail(frames, 24, 1, scenes, CutRequest::Forced(n));
      CheckCovers(plan, frames);
      for (const ChunkRange& c : plan) CHECK(c.frames * 2 * n >= frames);
    }
  }
}

TEST_CASE("auto on a 2-hour 24000/1001 film", "[chunk][cut_plan]") {
  const int64_t frames = 172500;  // 7194.4 s
  std::vector<int64_t> scenes;    // 2 to 20 s apart, pseudo-random (fixed LCG)
  uint64_t lcg = 12345;
  for (int64_t s = 0; s < frames; s += 48 + static_cast<int64_t>(lcg >> 33) % 432) {
    scenes.push_back(s);
    lcg = lcg * 6364136223846793005u + 1442695040888963407u;
  }
  const int64_t min_frames = 1439;   // ceil(60 s * 23.976)
  const int64_t max_frames = 14385;  // floor(600 s * 23.976)
  struct Row {
    int agents;
    size_t chunks;
  };
  // 3 per agent, at least ceil(172500 / (0.9 * 14385)) = 14 (max length with room), rounded up
  // to whole rounds of the agents (4 agents: 16), at most floor(172500 / ceil(1.1 * 1439)) = 108
  // (min length with room).
  for (Row row : {Row{1, 14}, Row{2, 14}, Row{4, 16}, Row{8, 24}, Row{16, 48}, Row{64, 108}}) {
    INFO("agents " << row.agents);
    const Plan plan = PlanOrFail(frames, 24000, 1001, scenes, CutRequest::Auto(row.agents));
    CHECK(plan.size() == row.chunks);
    CheckCovers(plan, frames);
    for (const ChunkRange& c : plan) {
      INFO("chunk " << c.index << " [" << c.first_frame << ", +" << c.frames << ")");
      // With 108 chunks barely over the minimum length, some cuts have no scene start in reach.
      if (row.agents < 64) CHECK(c.starts_on_scene_cut);
      CHECK(c.frames >= min_frames);
      CHECK(c.frames <= max_frames);
    }
  }
}

TEST_CASE("auto: short titles get fewer chunks, possibly one", "[chunk][cut_plan]") {
  // 100 s at 24 fps: two chunks would be under 66 s (min 60 s + 10%).
  CHECK(PlanOrFail(2400, 24, 1, {0, 480, 1200, 1900}, CutRequest::Auto(4)) ==
        Plan{{0, 0, 2400, true}});
  // 150 s: two chunks of about 75 s, cut on the scene start nearest 1800.
  CHECK(PlanOrFail(3600, 24, 1, {0, 480, 1200, 1900, 2500, 3000}, CutRequest::Auto(4)) ==
        Plan{{0, 0, 1900, true}, {1, 1900, 1700, true}});
  // One frame.
  CHECK(PlanOrFail(1, 24, 1, {0}, CutRequest::Auto(8)) == Plan{{0, 0, 1, true}});
}

TEST_CASE("cut plan refusals name the numbers", "[chunk][cut_plan]") {
  CHECK(ErrorOf(7, 24, 1, {0}, CutRequest::Forced(4)) ==
        "4 chunks need at least 8 frames (2 per chunk); the title has 7");
  CHECK_THAT(ErrorOf(100, 24, 1, {0}, CutRequest::Forced(1)), Catch::Contains("at least 2, got 1"));
  CHECK_THAT(ErrorOf(100, 24, 1, {0}, CutRequest::Forced(-3)), Catch::Contains("got -3"));
  CHECK_THAT(ErrorOf(0, 24, 1, {}, CutRequest::Auto(2)), Catch::Contains("0 frames"));
  CHECK_THAT(ErrorOf(100, 0, 1, {0}, CutRequest::Auto(2)), Catch::Contains("0/1"));
  CHECK_THAT(ErrorOf(100, 24, 0, {0}, CutRequest::Auto(2)), Catch::Contains("24/0"));
  CHECK_THAT(ErrorOf(100, 24, 1, {0, 50, 40}, CutRequest::Auto(2)),
             Catch::Contains("50 is followed by 40"));
  CHECK_THAT(ErrorOf(100, 24, 1, {0, 50, 50}, CutRequest::Auto(2)),
             Catch::Contains("50 is followed by 50"));
  CHECK_THAT(ErrorOf(100, 24, 1, {0, 100}, CutRequest::Auto(2)),
             Catch::Contains("scene start 100 is outside"));
  CHECK_THAT(ErrorOf(100, 24, 1, {-1, 0}, CutRequest::Auto(2)),
             Catch::Contains("scene start -1 is outside"));
  CHECK_THAT(ErrorOf(100, 24, 1, {0}, CutRequest::Auto(0)), Catch::Contains("got 0 and 3"));
  CutRequest request = CutRequest::Auto(2);
  request.chunks_per_agent = 0;
  CHECK_THAT(ErrorOf(100, 24, 1, {0}, request), Catch::Contains("got 2 and 0"));
  request = CutRequest::Auto(2);
  request.min_chunk_seconds = 0;
  CHECK_THAT(ErrorOf(100, 24, 1, {0}, request), Catch::Contains("got 0 and 600"));
  request = CutRequest::Auto(2);
  request.max_chunk_seconds = 30;
  CHECK_THAT(ErrorOf(100, 24, 1, {0}, request), Catch::Contains("got 60 and 30"));
}

// Payloads of a real 8.1 RPU with scene_refresh_flag set on the given frames only.
std::vector<std::vector<uint8_t>> RpusWithScenes(int frames, const std::vector<int>& scenes) {
  const std::string file = testing::ReadFileOrFail(testing::DoviSamplesDir() + "/rpu/profile8.bin");
  const std::vector<uint8_t> bytes(file.begin(), file.end());
  auto payloads = dovi::ParseRpuFile(bytes);
  REQUIRE(payloads.ok());
  auto rpu = dovi::ParseRpu(payloads->at(0));
  REQUIRE(rpu.ok());
  REQUIRE(rpu->vdr_dm_data.has_value());
  std::vector<std::vector<uint8_t>> out;
  for (int i = 0; i < frames; ++i) {
    rpu->vdr_dm_data->scene_refresh_flag =
        std::find(scenes.begin(), scenes.end(), i) != scenes.end() ? 1 : 0;
    auto written = dovi::WriteRpu(*rpu);
    REQUIRE(written.ok());
    out.push_back(*written);
  }
  return out;
}

std::vector<absl::Span<const uint8_t>> Spans(const std::vector<std::vector<uint8_t>>& v) {
  return {v.begin(), v.end()};
}

TEST_CASE("scene starts come from the RPUs' scene_refresh_flag", "[chunk][cut_plan]") {
  const auto rpus = RpusWithScenes(10, {3, 7});
  auto starts = SceneStartsFromRpus(Spans(rpus));
  REQUIRE(starts.ok());
  CHECK(*starts == std::vector<int64_t>{0, 3, 7});  // frame 0 although its flag is 0

  const auto flagged = RpusWithScenes(4, {0, 1, 2, 3});
  starts = SceneStartsFromRpus(Spans(flagged));
  REQUIRE(starts.ok());
  CHECK(*starts == std::vector<int64_t>{0, 1, 2, 3});

  starts = SceneStartsFromRpus({});
  REQUIRE(starts.ok());
  CHECK(starts->empty());
}

TEST_CASE("an RPU that does not parse is named by its frame", "[chunk][cut_plan]") {
  auto rpus = RpusWithScenes(8, {});
  rpus[5][rpus[5].size() / 2] ^= 0x10;  // CRC mismatch
  auto starts = SceneStartsFromRpus(Spans(rpus));
  REQUIRE_FALSE(starts.ok());
  CHECK(starts.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(starts.status().message()),
             Catch::StartsWith("RPU of frame 5 does not parse: "));
}

}  // namespace
}  // namespace mkvfleet::chunk
