// `mkvctl dovi plot` on the real samples: one SVG per input kind with one point pair per frame,
// the same picture from the MKV and from its extracted RPU file, the x axis in time when the MKV
// gives the frame rate, an escaped --title, and one-line failures that leave no file behind.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/media/dovi/cli_runner.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace {

namespace fs = std::filesystem;

std::string Hevc(const std::string& name) { return DoviSamplesDir() + "/hevc/" + name; }

std::string Plot(const std::string& input, const std::string& out,
                 std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"dovi", "plot", input, "-o", out};
  args.insert(args.end(), extra.begin(), extra.end());
  CommandResult r = RunMkvctl(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("259 frames") != std::string::npos);
  return ReadFileOrFail(out);
}

// The `points` of the first polyline (the L1 average).
std::string FirstPoints(const std::string& svg) {
  const std::string key = "points=\"";
  const size_t at = svg.find(key);
  REQUIRE(at != std::string::npos);
  const size_t from = at + key.size();
  return svg.substr(from, svg.find('"', from) - from);
}

TEST_CASE("dovi plot draws every frame of the MKV, the HEVC stream and the RPU file alike") {
  const std::string dir = MakeTempDir("dovi-plot");
  const std::string mkv = Plot(Hevc("regular.mkv"), dir + "/mkv.svg");
  const std::string hevc = Plot(Hevc("regular.hevc"), dir + "/hevc.svg");
  const std::string rpus = Plot(Hevc("regular_rpu.bin"), dir + "/rpu.svg");
  CHECK(mkv.rfind("<svg ", 0) == 0);
  const std::string points = FirstPoints(mkv);
  CHECK(std::count(points.begin(), points.end(), ',') == 2 * 259);
  CHECK(FirstPoints(hevc) == points);
  CHECK(FirstPoints(rpus) == points);
  CHECK(mkv.find(">0:00:") != std::string::npos);  // the MKV knows its frame rate
  CHECK(rpus.find(">0:00:") == std::string::npos);  // an RPU file does not: frames
  CHECK(mkv.find("regular.mkv") != std::string::npos);  // default title: the file name
}

TEST_CASE("dovi plot escapes the title and fails cleanly") {
  const std::string dir = MakeTempDir("dovi-plot");
  const std::string svg =
      Plot(Hevc("regular_rpu.bin"), dir + "/t.svg", {"--title", "<img src=x onerror=alert(1)>"});
  CHECK(svg.find("<img") == std::string::npos);
  CHECK(svg.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);

  const std::string junk = dir + "/junk.mkv";
  std::ofstream(junk) << "not a video";
  CommandResult r = RunMkvctl({"dovi", "plot", junk, "-o", dir + "/junk.svg"});
  CHECK(r.exit_code == 1);
  CHECK(CountLines(r.err) == 1);
  CHECK(r.err.find(junk) != std::string::npos);
  CHECK_FALSE(fs::exists(dir + "/junk.svg"));
}

}  // namespace
}  // namespace mkvfleet::testing
