// SSIM: the summary line of ffmpeg's ssim filter, segment planning and the command line.
#include <algorithm>

#include "agent/encode/ssim_parse.h"
#include "catch2/catch.hpp"

namespace mkvfleet::agent::encode {
namespace {

TEST_CASE("SSIM All: value read from ffmpeg's stderr") {
  const char* text =
      "Stream mapping:\n"
      "[Parsed_ssim_2 @ 0x563be12a3200] not matching timebases found\n"
      "[Parsed_ssim_2 @ 0x563be12a3200] SSIM Y:0.940055 (12.222494) U:0.944228 (12.535838) "
      "V:0.936598 (11.978941) All:0.940174 (12.231135)\n";
  auto v = ParseSsimAll(text);
  REQUIRE(v.ok());
  CHECK(*v == Approx(0.940174));
  auto identical = ParseSsimAll(
      "[Parsed_ssim_0 @ 0x55] SSIM Y:1.000000 (inf) U:1.000000 (inf) V:1.000000 (inf) "
      "All:1.000000 (inf)");
  REQUIRE(identical.ok());
  CHECK(*identical == 1.0);
}

TEST_CASE("SSIM: no summary or a bad value is an error") {
  CHECK(ParseSsimAll("Output file is empty, nothing was encoded").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(ParseSsimAll("[Parsed_ssim_0 @ 0x1] SSIM Y:nan (nan) All:nan (nan)").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("SSIM segments: a bounded share of the film, spread out only on long films") {
  SsimSampling s{4, 2.0, 0.05, 1.0};
  // Unknown length, or a budget (at least 1 s) covering the film: the whole film.
  CHECK(PlanSsimSegments(0, s) == std::vector<SsimSegment>{SsimSegment{}});
  CHECK(PlanSsimSegments(1.0, s) == std::vector<SsimSegment>{SsimSegment{}});
  // Short films: one prefix of max(1 s, 5 %), never the whole film.
  CHECK(PlanSsimSegments(2.0, s) == std::vector<SsimSegment>{SsimSegment{0, 1.0}});
  CHECK(PlanSsimSegments(12.0, s) == std::vector<SsimSegment>{SsimSegment{0, 1.0}});
  CHECK(PlanSsimSegments(100.0, s) == std::vector<SsimSegment>{SsimSegment{0, 5.0}});
  // Long enough for every segment within 5 %: four 2 s segments spread evenly (8 s of 200 s).
  auto segs = PlanSsimSegments(200.0, s);
  REQUIRE(segs.size() == 4);
  CHECK(segs[0] == SsimSegment{24.0, 2.0});
  CHECK(segs[3] == SsimSegment{174.0, 2.0});
  // A two-hour film still compares only 8 s.
  auto film = PlanSsimSegments(7200.0, s);
  REQUIRE(film.size() == 4);
  CHECK(film[1] == SsimSegment{2699.0, 2.0});
}

TEST_CASE("SSIM command: both inputs cut the same way, output first") {
  auto a = SsimArgs("ffmpeg", "/src.mkv", "/out.mkv", SsimSegment{11.5, 2.0}, "yuv420p10le");
  auto first_i = std::find(a.begin(), a.end(), "-i");
  REQUIRE(first_i != a.end());
  CHECK(*(first_i + 1) == "/out.mkv");
  CHECK(std::count(a.begin(), a.end(), "-ss") == 2);
  CHECK(std::count(a.begin(), a.end(), "11.500") == 2);
  CHECK(std::find(a.begin(), a.end(),
                  "[0:v:0]format=yuv420p10le[d];[1:v:0]format=yuv420p10le[r];[d][r]ssim") !=
        a.end());
  auto whole = SsimArgs("ffmpeg", "/src.mkv", "/out.mkv", SsimSegment{}, "yuv420p");
  CHECK(std::count(whole.begin(), whole.end(), "-ss") == 0);
}

}  // namespace
}  // namespace mkvfleet::agent::encode
