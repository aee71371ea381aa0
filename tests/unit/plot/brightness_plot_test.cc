// Folding per-frame L1 into buckets, and the SVG it draws: geometry, legend figures, escaping of
// untrusted titles, nothing a strict Content-Security-Policy would block.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "common/plot/brightness_series.h"
#include "common/plot/brightness_svg.h"
#include "common/plot/pq_scale.h"

namespace mkvfleet::plot {
namespace {

std::vector<FrameBrightness> Frames(int n) {
  std::vector<FrameBrightness> out;
  for (int i = 0; i < n; ++i) {
    FrameBrightness f;
    f.max_pq = static_cast<uint16_t>(2000 + i);
    f.avg_pq = static_cast<uint16_t>(1000 + 2 * i);
    f.scene_start = i % 4 == 0;
    out.push_back(f);
  }
  return out;
}

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("frames fold into equal buckets with max, mean and scene starts") {
  const BrightnessSeries s = FoldBrightness(Frames(10), 4);  // 3 + 3 + 3 + 1
  REQUIRE(s.buckets.size() == 4);
  CHECK(s.frames == 10);
  CHECK(s.buckets[0].first_frame == 0);
  CHECK(s.buckets[0].frames == 3);
  CHECK(s.buckets[0].max_pq == 2002);
  CHECK(s.buckets[0].avg_pq == Approx(1002));  // mean of 1000, 1002, 1004
  CHECK(s.buckets[0].scene_starts == 1);        // frame 0
  CHECK(s.buckets[1].scene_starts == 1);        // frame 4
  CHECK(s.buckets[3].first_frame == 9);
  CHECK(s.buckets[3].frames == 1);
  CHECK(s.peak_max_pq == 2009);
  CHECK(s.mean_avg_pq == Approx(1009));
  CHECK(s.scene_starts == 3);  // frames 0, 4, 8

  const BrightnessSeries few = FoldBrightness(Frames(3), 100);
  CHECK(few.buckets.size() == 3);  // one bucket per frame
  CHECK(FoldBrightness({}, 10).buckets.empty());
}

TEST_CASE("the SVG draws both lines over every bucket and escapes the title") {
  const BrightnessSeries s = FoldBrightness(Frames(10), 4);
  BrightnessPlotOptions o;
  o.title = "<img src=x onerror=alert(1)>.mkv & \"co\"";
  const std::string svg = RenderBrightnessSvg(s, o);
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(Count(svg, "<polyline") == 2);
  // Two points per bucket in each line.
  const std::string points = "points=\"";
  const size_t at = svg.find(points);
  REQUIRE(at != std::string::npos);
  const std::string first = svg.substr(at + points.size(), svg.find('"', at + points.size()) - at - points.size());
  CHECK(Count(first, ",") == 8);
  CHECK(svg.find("<img") == std::string::npos);
  CHECK(svg.find("&lt;img src=x onerror=alert(1)&gt;.mkv &amp; &quot;co&quot;") != std::string::npos);
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("style=") == std::string::npos);
  CHECK(svg.find("<style") == std::string::npos);
  // The legend states the peak and mean in nits.
  char peak[32];
  std::snprintf(peak, sizeof peak, "peak %.1f nits", PqCodeToNits(2009));  // 10-100 nits: 1 decimal
  CHECK(svg.find(peak) != std::string::npos);
  CHECK(svg.find("scene starts (3)") != std::string::npos);
  // Three scene starts (below the line limit): three full-height lines in the scene group.
  CHECK(Count(svg, "<line x1=") >= 3 + 7);  // + the seven nits grid lines
}

TEST_CASE("the x axis reads time when the frame rate is known, frames otherwise") {
  const BrightnessSeries s = FoldBrightness(Frames(240), 100);
  BrightnessPlotOptions o;
  o.fps = 24;
  const std::string timed = RenderBrightnessSvg(s, o);
  CHECK(timed.find(">0:00:10<") != std::string::npos);  // 240 frames at 24 fps = 10 s
  o.fps = 0;
  const std::string framed = RenderBrightnessSvg(s, o);
  CHECK(framed.find(">200<") != std::string::npos);
  CHECK(framed.find("0:00:10") == std::string::npos);
}

TEST_CASE("a series survives its text form, and bad text is refused") {
  const BrightnessSeries s = FoldBrightness(Frames(10), 4);
  const std::string text = EncodeBrightness(s);
  CHECK(text.rfind("brightness/1 10 3 2009 10090 3 ", 0) == 0);
  const absl::StatusOr<BrightnessSeries> back = DecodeBrightness(text);
  REQUIRE(back.ok());
  CHECK(back->frames == 10);
  REQUIRE(back->buckets.size() == 4);
  CHECK(back->buckets[3].first_frame == 9);
  CHECK(back->buckets[3].frames == 1);
  CHECK(back->buckets[0].avg_pq == Approx(1002));
  CHECK(back->peak_max_pq == 2009);
  CHECK(RenderBrightnessSvg(*back, {}) == RenderBrightnessSvg(s, {}));
  CHECK(DecodeBrightness(EncodeBrightness(FoldBrightness({}, 5))).ok());
  CHECK_FALSE(DecodeBrightness("brightness/2 1 1 1 1 0 1:1:0").ok());
  CHECK_FALSE(DecodeBrightness("brightness/1 10 3 2009 10090 3 1:1:0").ok());  // 1 of 4 buckets
  CHECK_FALSE(DecodeBrightness("brightness/1 1 1 1 1 0 1:x:0").ok());
  CHECK_FALSE(DecodeBrightness("").ok());
}

TEST_CASE("an empty series draws the axes and says there are no RPUs") {
  const std::string svg = RenderBrightnessSvg(FoldBrightness({}, 10), {});
  CHECK(svg.find("no RPUs") != std::string::npos);
  CHECK(svg.find("<polyline") == std::string::npos);
}

}  // namespace
}  // namespace mkvfleet::plot
