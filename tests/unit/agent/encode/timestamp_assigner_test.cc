// Output timestamps: the source's display times on the output's own frame order.
#include "agent/encode/timestamp_assigner.h"

#include <vector>

#include "catch2/catch.hpp"

namespace mkvfleet::agent::encode {
namespace {

// Feeds source frames (pts in decode order, 1 tick = 1 ms, 41 ms frames) and output POCs in
// decode order, interleaved one by one as the remuxer does, and collects the results.
std::vector<FrameTimestamps> Run(const std::vector<int64_t>& source_pts,
                                 const std::vector<int64_t>& output_pocs, uint32_t reorder) {
  TimestampAssigner t(reorder);
  std::vector<FrameTimestamps> out;
  auto drain = [&] {
    while (auto ts = t.Next()) out.push_back(*ts);
  };
  const size_t n = std::max(source_pts.size(), output_pocs.size());
  for (size_t i = 0; i < n; ++i) {
    if (i < source_pts.size()) t.AddSourceFrame(source_pts[i], 41);
    if (i < output_pocs.size()) REQUIRE(t.AddOutputFrame({0, output_pocs[i]}).ok());
    drain();
  }
  t.FinishSource();
  REQUIRE(t.FinishOutput().ok());
  drain();
  return out;
}

TEST_CASE("output frames take the source's display times by their own display rank") {
  // Source: I P B b (display 0 3 1 2) at 0/125/42/83 ms; output without reordering.
  auto out = Run({0, 125, 42, 83}, {0, 1, 2, 3}, 0);
  REQUIRE(out.size() == 4);
  CHECK(out[0] == FrameTimestamps{0, 0, 41});
  CHECK(out[1] == FrameTimestamps{42, 42, 41});
  CHECK(out[2] == FrameTimestamps{83, 83, 41});
  CHECK(out[3] == FrameTimestamps{125, 125, 41});
}

TEST_CASE("reordered output: pts by POC, dts monotonic and never after pts") {
  // Source in display order; output I P B B with POCs 0 3 1 2 (one frame of reordering).
  std::vector<int64_t> src = {0, 42, 83, 125, 167, 208, 250, 292};
  std::vector<int64_t> pocs = {0, 4, 2, 1, 3, 7, 6, 5};  // b-pyramid, reorder depth 2
  auto out = Run(src, pocs, 2);
  REQUIRE(out.size() == 8);
  const std::vector<int64_t> want_pts = {0, 167, 83, 42, 125, 292, 250, 208};
  int64_t last_dts = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].pts == want_pts[i]);
    CHECK(out[i].dts <= out[i].pts);
    CHECK(out[i].dts >= last_dts);
    CHECK(out[i].dts >= 0);
    last_dts = out[i].dts;
  }
}

TEST_CASE("a new coded video sequence (IDR) restarts POC but continues display order") {
  TimestampAssigner t(0);
  for (int64_t pts : {0, 42, 83, 125}) t.AddSourceFrame(pts, 41);
  t.FinishSource();
  REQUIRE(t.AddOutputFrame({0, 0}).ok());
  REQUIRE(t.AddOutputFrame({0, 1}).ok());
  REQUIRE(t.AddOutputFrame({1, 0}).ok());
  REQUIRE(t.AddOutputFrame({1, 1}).ok());
  REQUIRE(t.FinishOutput().ok());
  std::vector<int64_t> pts;
  while (auto ts = t.Next()) pts.push_back(ts->pts);
  CHECK(pts == std::vector<int64_t>{0, 42, 83, 125});
}

TEST_CASE("a frame-count mismatch is reported, nothing is invented") {
  TimestampAssigner t(0);
  for (int64_t pts : {0, 42, 83}) t.AddSourceFrame(pts, 41);
  t.FinishSource();
  for (int64_t poc : {0, 1}) REQUIRE(t.AddOutputFrame({0, poc}).ok());
  absl::Status s = t.FinishOutput();
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(s.message().find("2 frames") != std::string::npos);

  TimestampAssigner more(0);
  more.AddSourceFrame(0, 41);
  more.FinishSource();
  REQUIRE(more.AddOutputFrame({0, 0}).ok());
  REQUIRE(more.AddOutputFrame({0, 1}).ok());
  CHECK_FALSE(more.FinishOutput().ok());
  CHECK(more.Next().has_value());
  CHECK_FALSE(more.Next().has_value());  // no source time for the extra frame
}

TEST_CASE("duplicate POCs are an error") {
  TimestampAssigner t(0, 1);
  REQUIRE(t.AddOutputFrame({0, 0}).ok());
  REQUIRE(t.AddOutputFrame({0, 1}).ok());
  CHECK_FALSE(t.AddOutputFrame({0, 0}).ok());
}

}  // namespace
}  // namespace mkvfleet::agent::encode
