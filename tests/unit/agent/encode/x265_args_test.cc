// Re-encode command lines built from probe results and profiles.
#include "agent/encode/x265_args.h"

#include <algorithm>

#include "catch2/catch.hpp"

namespace mkvfleet::agent::encode {
namespace {

// The value after `flag` in argv, or "<absent>".
std::string ValueOf(const Argv& a, const std::string& flag) {
  auto it = std::find(a.begin(), a.end(), flag);
  if (it == a.end() || it + 1 == a.end()) return "<absent>";
  return *(it + 1);
}
bool Has(const Argv& a, const std::string& flag) {
  return std::find(a.begin(), a.end(), flag) != a.end();
}

media::MediaInfo Hdr10Source() {
  media::MediaInfo m;
  m.has_video = true;
  m.video_codec = "hevc";
  m.width = 3840;
  m.height = 2160;
  m.pix_fmt = "yuv420p10le";
  m.color_primaries = "bt2020";
  m.color_transfer = "smpte2084";
  m.color_space = "bt2020nc";
  m.fps_num = 24000;
  m.fps_den = 1001;
  m.frame_count = 1234;
  m.hdr10.mastering_display = true;
  m.hdr10.mastering_text =
      "R(34000/50000,16000/50000) G(13250/50000,34500/50000) B(7500/50000,3000/50000) "
      "WP(15635/50000,16450/50000) L(10000000/10000,1/10000)";
  m.hdr10.content_light = true;
  m.hdr10.max_cll = 1000;
  m.hdr10.max_fall = 400;
  return m;
}

TEST_CASE("master display: ffprobe fractions to x265 units in G B R WP L order") {
  auto md = MasterDisplayArg(Hdr10Source().hdr10.mastering_text);
  REQUIRE(md.ok());
  CHECK(*md == "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)");
  // Other denominators are rescaled (0.708 -> 35400; 4000 nits, 0.005 nits).
  auto other = MasterDisplayArg(
      "R(708/1000,292/1000)G(170/1000,797/1000)B(131/1000,46/1000)WP(3127/10000,3290/10000)"
      "L(4000/1,50/10000)");
  REQUIRE(other.ok());
  CHECK(*other == "G(8500,39850)B(6550,2300)R(35400,14600)WP(15635,16450)L(40000000,50)");
  CHECK_FALSE(MasterDisplayArg("R(1/2,1/2) G(1/2,1/2)").ok());
  CHECK_FALSE(MasterDisplayArg("R(a/2,1/2)").ok());
  CHECK_FALSE(MasterDisplayArg("garbage").ok());
}

TEST_CASE("dv-reencode: 10-bit Main10, HDR10 metadata, DV 8.1 with automatic VBV") {
  EncodeProfile p;
  p.preset = "ultrafast";
  p.crf = 20;
  p.extra_args = {"--no-sao"};
  EncodeJob job{"/usr/bin/ffmpeg", "/opt/x265", "/m/in.mkv", "/w/bl.hevc", "/w/rpu.bin"};
  auto c = BuildEncodeCommands(Hdr10Source(), p, job);
  REQUIRE(c.ok());
  CHECK(c->output_depth == 10);
  CHECK(c->decode.front() == "/usr/bin/ffmpeg");
  CHECK(ValueOf(c->decode, "-i") == "/m/in.mkv");
  CHECK(ValueOf(c->decode, "-pix_fmt") == "yuv420p10le");
  CHECK(ValueOf(c->decode, "-f") == "yuv4mpegpipe");
  CHECK(c->decode.back() == "-");
  const Argv& a = c->encode;
  CHECK(a.front() == "/opt/x265");
  CHECK(ValueOf(a, "--input") == "-");
  CHECK(Has(a, "--y4m"));
  CHECK(ValueOf(a, "--frames") == "1234");
  CHECK(ValueOf(a, "--preset") == "ultrafast");
  CHECK(ValueOf(a, "--crf") == "20");
  CHECK(ValueOf(a, "--output-depth") == "10");
  CHECK(ValueOf(a, "--profile") == "main10");
  CHECK(ValueOf(a, "--colorprim") == "bt2020");
  CHECK(ValueOf(a, "--transfer") == "smpte2084");
  CHECK(ValueOf(a, "--colormatrix") == "bt2020nc");
  CHECK(ValueOf(a, "--range") == "limited");
  CHECK(ValueOf(a, "--master-display") ==
        "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)");
  CHECK(ValueOf(a, "--max-cll") == "1000,400");
  CHECK(Has(a, "--hdr10"));
  CHECK(Has(a, "--hdr10-opt"));
  CHECK(ValueOf(a, "--dolby-vision-profile") == "8.1");
  CHECK(ValueOf(a, "--dolby-vision-rpu") == "/w/rpu.bin");
  CHECK(ValueOf(a, "--vbv-maxrate") == std::to_string(kDvVbvKbpsUhd));
  CHECK(ValueOf(a, "--vbv-bufsize") == std::to_string(kDvVbvKbpsUhd));
  CHECK(Has(a, "--no-sao"));
  CHECK(ValueOf(a, "--output") == "/w/bl.hevc");
  CHECK(a[a.size() - 2] == "--output");  // extra options cannot redirect the output
}

TEST_CASE("dv-reencode: the profile's VBV wins; HD sources get the HD default") {
  media::MediaInfo src = Hdr10Source();
  src.width = 1920;
  src.height = 1080;
  EncodeJob job{"ffmpeg", "x265", "in.mkv", "bl.hevc", "rpu.bin"};
  auto hd = BuildEncodeCommands(src, EncodeProfile{}, job);
  REQUIRE(hd.ok());
  CHECK(ValueOf(hd->encode, "--vbv-maxrate") == std::to_string(kDvVbvKbpsHd));
  EncodeProfile p;
  p.vbv_maxrate_kbps = 30000;
  p.vbv_bufsize_kbps = 45000;
  auto set = BuildEncodeCommands(src, p, job);
  REQUIRE(set.ok());
  CHECK(ValueOf(set->encode, "--vbv-maxrate") == "30000");
  CHECK(ValueOf(set->encode, "--vbv-bufsize") == "45000");
}

TEST_CASE("standard HDR10: same metadata, no Dolby Vision, no VBV unless configured") {
  EncodeJob job{"ffmpeg", "x265", "in.mkv", "bl.hevc", ""};
  auto c = BuildEncodeCommands(Hdr10Source(), EncodeProfile{}, job);
  REQUIRE(c.ok());
  CHECK_FALSE(Has(c->encode, "--dolby-vision-profile"));
  CHECK_FALSE(Has(c->encode, "--dolby-vision-rpu"));
  CHECK_FALSE(Has(c->encode, "--vbv-maxrate"));
  CHECK(Has(c->encode, "--master-display"));
  CHECK(ValueOf(c->encode, "--max-cll") == "1000,400");
  CHECK(ValueOf(c->encode, "--preset") == "slow");
  CHECK(ValueOf(c->encode, "--crf") == "18");
}

TEST_CASE("standard SDR: BT.709 kept, 8-bit stays 8-bit, 10-bit stays 10-bit, no HDR flags") {
  media::MediaInfo sdr;
  sdr.width = 1280;
  sdr.height = 720;
  sdr.pix_fmt = "yuv420p";
  sdr.color_primaries = "bt709";
  sdr.color_transfer = "bt709";
  sdr.color_space = "bt709";
  sdr.frame_count = 48;
  EncodeJob job{"ffmpeg", "x265", "in.mkv", "bl.hevc", ""};
  auto c = BuildEncodeCommands(sdr, EncodeProfile{}, job);
  REQUIRE(c.ok());
  CHECK(c->output_depth == 8);
  CHECK(ValueOf(c->decode, "-pix_fmt") == "yuv420p");
  CHECK(ValueOf(c->encode, "--output-depth") == "8");
  CHECK(ValueOf(c->encode, "--profile") == "main");
  CHECK(ValueOf(c->encode, "--colorprim") == "bt709");
  CHECK_FALSE(Has(c->encode, "--hdr10"));
  CHECK_FALSE(Has(c->encode, "--master-display"));
  sdr.pix_fmt = "yuv420p10le";
  auto ten = BuildEncodeCommands(sdr, EncodeProfile{}, job);
  REQUIRE(ten.ok());
  CHECK(ten->output_depth == 10);
  // Unknown colour names are left out rather than passed to x265.
  sdr.color_primaries = "";
  sdr.color_space = "reserved";
  auto unknown = BuildEncodeCommands(sdr, EncodeProfile{}, job);
  REQUIRE(unknown.ok());
  CHECK_FALSE(Has(unknown->encode, "--colorprim"));
  CHECK_FALSE(Has(unknown->encode, "--colormatrix"));
}

TEST_CASE("sources without size or frame count are refused") {
  EncodeJob job{"ffmpeg", "x265", "in.mkv", "bl.hevc", ""};
  media::MediaInfo m = Hdr10Source();
  m.frame_count = 0;
  CHECK(BuildEncodeCommands(m, EncodeProfile{}, job).status().code() ==
        absl::StatusCode::kInvalidArgument);
  m = Hdr10Source();
  m.width = 0;
  CHECK_FALSE(BuildEncodeCommands(m, EncodeProfile{}, job).ok());
  m = Hdr10Source();
  m.hdr10.mastering_text = "nonsense";
  CHECK_FALSE(BuildEncodeCommands(m, EncodeProfile{}, job).ok());
}

}  // namespace
}  // namespace mkvfleet::agent::encode
