// Verification rules: a faithful output passes; each kind of damage fails the check named for it.
#include "agent/media/verify_rules.h"

#include <algorithm>

#include "catch2/catch.hpp"

namespace mkvfleet::agent::media {
namespace {

MediaInfo Source() {
  MediaInfo m;
  m.has_video = true;
  m.video_codec = "hevc";
  m.width = 256;
  m.height = 144;
  m.color_primaries = "bt2020";
  m.color_transfer = "smpte2084";
  m.color_space = "bt2020nc";
  m.fps_num = 24;
  m.fps_den = 1;
  m.frame_count = 48;
  m.duration_s = 2.016;
  m.chapters = 2;
  m.dovi = DoviInfo{true, 7, 1, true, true, true, 6};
  m.hdr10 = Hdr10Info{true, "R(1,2)", true, 1000, 400};
  m.tracks = {TrackInfo{0, "video", "V_MPEGH/ISO/HEVC", "und", "Video", true, false},
              TrackInfo{1, "audio", "A_AC3", "eng", "English", true, false},
              TrackInfo{2, "audio", "A_FLAC", "fre", "Français", false, false},
              TrackInfo{3, "subtitles", "S_TEXT/UTF8", "eng", "English", false, true}};
  return m;
}

MediaInfo GoodOutput() {
  MediaInfo m = Source();
  m.dovi = DoviInfo{true, 8, 1, true, false, true, 1};
  return m;
}

RpuScanTotals GoodScan() { return RpuScanTotals{48, 48, 0, 0, 8}; }

VerifyTarget Target() {
  VerifyTarget t;
  t.source_frames = 48;
  return t;
}

std::vector<std::string> Failed(const MediaInfo& out, const RpuScanTotals& scan,
                                VerifyTarget t = Target(), MediaInfo src = Source()) {
  std::vector<std::string> names;
  for (const CheckResult& c : CheckOutput(src, out, scan, t)) {
    if (!c.passed) names.push_back(c.name);
  }
  return names;
}

using V = std::vector<std::string>;

TEST_CASE("a faithful 8.1 output passes every check") {
  CHECK(Failed(GoodOutput(), GoodScan()).empty());
  CHECK(Verdict(CheckOutput(Source(), GoodOutput(), GoodScan(), Target()), "o.mkv").ok());
}

TEST_CASE("frame and RPU problems are named") {
  MediaInfo out = GoodOutput();
  out.frame_count = 47;
  CHECK(Failed(out, GoodScan()) == V{"frame_count"});
  RpuScanTotals missing = GoodScan();
  missing.packets_with_rpu = 47;
  CHECK(Failed(GoodOutput(), missing) == V{"rpu_per_frame"});
  RpuScanTotals p7 = GoodScan();
  p7.rpus_not_profile8 = 48;
  p7.first_rpu_profile = 7;
  CHECK(Failed(GoodOutput(), p7) == V{"rpu_profile"});
  RpuScanTotals el = GoodScan();
  el.packets_with_el = 3;
  CHECK(Failed(GoodOutput(), el) == V{"no_enhancement_layer"});
  VerifyTarget t = Target();
  t.source_frames = 50;  // the header said 48 but the mux read 50
  CHECK(Failed(GoodOutput(), GoodScan(), t) ==
        V{"frame_count", "source_frame_count", "rpu_per_frame"});
}

TEST_CASE("a frame with two RPUs fails rpu_per_frame") {
  RpuScanTotals doubled = GoodScan();
  doubled.packets_with_several_rpus = 1;
  CHECK(Failed(GoodOutput(), doubled) == V{"rpu_per_frame"});
}

// Source() with timing: video from 0.5 s, audio 1 from 2 s (1.5 s after the video) lasting 1.5 s,
// audio 2 and subtitles from 0.5 s.
MediaInfo TimedSource() {
  MediaInfo m = Source();
  const int64_t starts[] = {500'000'000, 2'000'000'000, 500'000'000, 500'000'000};
  const double durations[] = {2.0, 1.5, 2.0, 1.9};
  for (size_t i = 0; i < m.tracks.size(); ++i) {
    m.tracks[i].start_ns = starts[i];
    m.tracks[i].duration_s = durations[i];
  }
  return m;
}

TEST_CASE("timing: the video's start and each track's start and duration are kept") {
  const MediaInfo src = TimedSource();
  MediaInfo out = src;
  out.dovi = GoodOutput().dovi;
  CHECK(Failed(out, GoodScan(), Target(), src).empty());

  out.tracks[0].start_ns = 0;  // the video moved to 0
  std::vector<CheckResult> checks = CheckOutput(src, out, GoodScan(), Target());
  auto timing = std::find_if(checks.begin(), checks.end(),
                             [](const CheckResult& c) { return c.name == "timing"; });
  REQUIRE(timing != checks.end());
  CHECK_FALSE(timing->passed);
  CHECK(timing->detail == "video track 0 starts at 0.5 s in the source, 0 s in the output");

  out = src;
  out.dovi = GoodOutput().dovi;
  out.tracks[1].start_ns = 500'000'000;  // the delayed audio lost its delay
  CHECK(Failed(out, GoodScan(), Target(), src) == V{"timing"});
  out.tracks[1].start_ns = 2'000'500'000;  // half a millisecond: within one tick
  CHECK(Failed(out, GoodScan(), Target(), src).empty());
  out.tracks[3].duration_s = 1.0;  // subtitles cut short
  CHECK(Failed(out, GoodScan(), Target(), src) == V{"timing"});
  out.tracks[3].duration_s = -1;  // the output states none: not judged
  CHECK(Failed(out, GoodScan(), Target(), src).empty());
}

TEST_CASE("a wrong or missing DV record fails dovi_config") {
  MediaInfo out = GoodOutput();
  out.dovi.el_present = true;
  CHECK(Failed(out, GoodScan()) == V{"dovi_config"});
  out = GoodOutput();
  out.dovi.bl_compat_id = 6;
  CHECK(Failed(out, GoodScan()) == V{"dovi_config"});
  out.dovi = DoviInfo{};
  CHECK(Failed(out, GoodScan()) == V{"dovi_config"});
}

TEST_CASE("lost HDR10 metadata, colour, duration, tracks, chapters and attachments are named") {
  MediaInfo out = GoodOutput();
  out.hdr10 = Hdr10Info{};
  CHECK(Failed(out, GoodScan()) == V{"hdr10_mastering_display", "hdr10_content_light"});
  out = GoodOutput();
  out.color_transfer = "bt709";
  CHECK(Failed(out, GoodScan()) == V{"colour"});
  out = GoodOutput();
  out.duration_s = 2.016 + 0.030;  // within one frame (41.7 ms)
  CHECK(Failed(out, GoodScan()).empty());
  out.duration_s = 2.016 + 0.080;
  CHECK(Failed(out, GoodScan()) == V{"duration"});
  out = GoodOutput();
  out.tracks[2].language = "ger";
  CHECK(Failed(out, GoodScan()) == V{"tracks"});
  out = GoodOutput();
  out.tracks[3].forced_track = false;
  CHECK(Failed(out, GoodScan()) == V{"tracks"});
  out = GoodOutput();
  out.tracks.pop_back();
  CHECK(Failed(out, GoodScan()) == V{"tracks"});
  out = GoodOutput();
  for (auto& t : out.tracks) t.id += 5;  // renumbered ids alone are fine
  CHECK(Failed(out, GoodScan()).empty());
  out = GoodOutput();
  out.chapters = 0;
  CHECK(Failed(out, GoodScan()) == V{"chapters"});
  out = GoodOutput();
  out.attachments.push_back(AttachmentInfo{"x.ttf", "font/ttf", 10});
  CHECK(Failed(out, GoodScan()) == V{"attachments"});
  out = GoodOutput();
  out.tracks.push_back(out.tracks[0]);
  CHECK(Failed(out, GoodScan()) == V{"one_video_track"});
}

TEST_CASE("a standard re-encode is not held to Dolby Vision rules") {
  MediaInfo src = Source();
  src.dovi = DoviInfo{};
  MediaInfo out = src;
  VerifyTarget t = Target();
  t.dolby_vision_81 = false;
  t.same_video_size = false;
  out.width = 128;
  CHECK(Failed(out, RpuScanTotals{48, 0, 0, 0, 0}, t, src).empty());
}

TEST_CASE("the verdict is permanent and names the file and every failed check") {
  MediaInfo out = GoodOutput();
  out.frame_count = 40;
  out.chapters = 1;
  absl::Status s = Verdict(CheckOutput(Source(), out, GoodScan(), Target()), "/out/a.mkv");
  CHECK(s.code() == absl::StatusCode::kDataLoss);
  CHECK(s.message().find("/out/a.mkv") != std::string::npos);
  CHECK(s.message().find("frame_count: output has 40") != std::string::npos);
  CHECK(s.message().find("chapters: source 2 chapters, output 1") != std::string::npos);
}

}  // namespace
}  // namespace mkvfleet::agent::media
