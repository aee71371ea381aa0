// Per-frame RPUs in display order: frames met in decode order are put in display order with their
// RPU counts, and the census names the frames without an RPU and with several.
#include "common/dvstream/frame_rpus.h"

#include <catch2/catch.hpp>

namespace mkvfleet::dvstream {
namespace {

hevc::FrameInfo Frame(int64_t poc) {
  hevc::FrameInfo f;
  f.has_picture = true;
  f.key = hevc::DisplayKey{0, poc};
  return f;
}

// `n` RPUs whose payloads are {tag, i}.
std::vector<std::vector<uint8_t>> Rpus(int n, uint8_t tag) {
  std::vector<std::vector<uint8_t>> out;
  for (int i = 0; i < n; ++i) out.push_back({tag, static_cast<uint8_t>(i)});
  return out;
}

TEST_CASE("frames in decode order come out in display order with their RPUs",
          "[dvstream][frame_rpus]") {
  // Decode order I0 P4 B2 b1 b3: display 0 1 2 3 4.
  FrameRpuCollector c;
  REQUIRE(c.Add(Frame(0), Rpus(1, 0)).ok());
  REQUIRE(c.Add(Frame(4), Rpus(1, 4)).ok());
  REQUIRE(c.Add(Frame(2), Rpus(0, 2)).ok());
  REQUIRE(c.Add(Frame(1), Rpus(2, 1)).ok());
  REQUIRE(c.Add(Frame(3), Rpus(1, 3)).ok());
  const FrameRpuTable table = std::move(c).Finish();
  CHECK(table.packet_of_frame == std::vector<uint64_t>{0, 3, 2, 4, 1});
  REQUIRE(table.frames.size() == 5);
  CHECK(table.frames[1] == Rpus(2, 1));
  CHECK(table.frames[2].empty());
  CHECK(table.frames[4] == Rpus(1, 4));

  const RpuCensus census = CountFrameRpus(table);
  CHECK(census.frames == 5);
  CHECK(census.rpus == 5);
  CHECK(census.without_rpu == std::vector<int64_t>{2});
  CHECK(census.with_several == std::vector<int64_t>{1});
  CHECK_FALSE(census.one_per_frame());
}

TEST_CASE("a packet without a picture or a repeated POC is refused", "[dvstream][frame_rpus]") {
  FrameRpuCollector c;
  REQUIRE(c.Add(Frame(0), Rpus(1, 0)).ok());
  hevc::FrameInfo empty;
  absl::Status st = c.Add(empty, {});
  CHECK(st.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(st.message()) == "packet 1 holds no picture");
}

TEST_CASE("frame lists are shortened past the number shown", "[dvstream][frame_rpus]") {
  CHECK(FrameListText(std::vector<int64_t>{5, 94, 95}) == "5, 94, 95");
  CHECK(FrameListText(std::vector<int64_t>{1, 2, 3, 4}, 2) == "1, 2, ... (4 in all)");
  CHECK(FrameListText(std::vector<int64_t>{}).empty());
}

}  // namespace
}  // namespace mkvfleet::dvstream
