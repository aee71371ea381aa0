// x265 and ffmpeg progress lines as the tools print them.
#include "agent/encode/progress_parse.h"

#include "catch2/catch.hpp"

namespace mkvfleet::agent::encode {
namespace {

TEST_CASE("x265 progress with --frames: done/total, fps, ETA") {
  auto p = ParseX265Progress("[39.6%] 19/48 frames, 21.19 fps, 199.59 kb/s, eta 0:00:01  ");
  REQUIRE(p);
  CHECK(*p == ToolProgress{19, 48, 21.19, 1000});
  auto long_eta = ParseX265Progress("[2.1%] 1000/47000 frames, 3.50 fps, 9000.00 kb/s, eta 3:39:02");
  REQUIRE(long_eta);
  CHECK(long_eta->eta_ms == (3 * 3600 + 39 * 60 + 2) * 1000LL);
}

TEST_CASE("x265 progress without --frames") {
  auto p = ParseX265Progress("19 frames: 21.19 fps, 199.59 kb/s");
  REQUIRE(p);
  CHECK(*p == ToolProgress{19, 0, 21.19, 0});
}

TEST_CASE("x265 lines that are not progress") {
  CHECK_FALSE(ParseX265Progress("x265 [info]: HEVC encoder version 3.5+1-f0c1022b6"));
  CHECK_FALSE(ParseX265Progress("encoded 48 frames in 0.57s (84.28 fps), 147.27 kb/s, Avg QP:34.41"));
  CHECK_FALSE(ParseX265Progress("x265 [info]: frame I:      1, Avg QP:29.98  kb/s: 671.42"));
  CHECK_FALSE(ParseX265Progress(""));
  CHECK_FALSE(ParseX265Progress("[50%] x/y frames, 1 fps"));
}

TEST_CASE("ffmpeg -progress frame lines") {
  CHECK(ParseFfmpegProgressFrame("frame=123") == 123);
  CHECK_FALSE(ParseFfmpegProgressFrame("fps=23.1"));
  CHECK_FALSE(ParseFfmpegProgressFrame("frame=abc"));
}

}  // namespace
}  // namespace mkvfleet::agent::encode
