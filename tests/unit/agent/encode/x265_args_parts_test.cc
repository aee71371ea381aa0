// The parts BuildEncodeCommands is composed of (decoder options, x265 picture/common options, VBV)
// and the proof that the composition is the whole-file command line, byte for byte: the chunk
// manifest stores these parts, so chunks and whole-file encodes use the same settings.
#include <algorithm>

#include "agent/encode/x265_args.h"
#include "catch2/catch.hpp"
#include "common/chunk/chunk_commands.h"
#include "common/chunk/manifest.h"

namespace mkvfleet::agent::encode {
namespace {

media::MediaInfo UhdDolbyVisionSource() {
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

Argv Concat(std::initializer_list<Argv> parts) {
  Argv out;
  for (const Argv& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST_CASE("BuildEncodeCommands' Dolby Vision command lines, literally") {
  EncodeProfile p;
  p.preset = "ultrafast";
  p.crf = 20;
  p.extra_args = {"--no-sao"};
  EncodeJob job{"/usr/bin/ffmpeg", "/opt/x265", "/m/in.mkv", "/w/bl.hevc", "/w/rpu.bin"};
  auto c = BuildEncodeCommands(UhdDolbyVisionSource(), p, job);
  REQUIRE(c.ok());
  // clang-format off
  CHECK(c->decode == Argv{"/usr/bin/ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
                          "-i", "/m/in.mkv", "-map", "0:v:0", "-fps_mode", "passthrough",
                          "-pix_fmt", "yuv420p10le", "-strict", "-1", "-f", "yuv4mpegpipe", "-"});
  CHECK(c->encode ==
        Argv{"/opt/x265", "--input", "-", "--y4m", "--frames", "1234", "--preset", "ultrafast",
             "--crf", "20", "--output-depth", "10", "--profile", "main10", "--range", "limited",
             "--colorprim", "bt2020", "--transfer", "smpte2084", "--colormatrix", "bt2020nc",
             "--master-display",
             "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)",
             "--max-cll", "1000,400", "--hdr10", "--hdr10-opt", "--dolby-vision-profile", "8.1",
             "--dolby-vision-rpu", "/w/rpu.bin", "--vbv-maxrate", "80000", "--vbv-bufsize",
             "80000", "--no-sao", "--output", "/w/bl.hevc"});
  // clang-format on
  CHECK(c->pix_fmt == "yuv420p10le");
  CHECK(c->output_depth == 10);
}

TEST_CASE("BuildEncodeCommands is the composition of the parts, for every kind of source") {
  media::MediaInfo sdr8;
  sdr8.width = 1280;
  sdr8.height = 720;
  sdr8.pix_fmt = "yuv420p";
  sdr8.color_primaries = "bt709";
  sdr8.color_transfer = "bt709";
  sdr8.color_space = "bt709";
  sdr8.frame_count = 48;
  media::MediaInfo hd = UhdDolbyVisionSource();
  hd.width = 1920;
  hd.height = 1080;
  EncodeProfile with_vbv;
  with_vbv.vbv_maxrate_kbps = 30000;
  with_vbv.extra_args = {"--aq-mode", "3"};
  for (const media::MediaInfo& src : {UhdDolbyVisionSource(), hd, sdr8}) {
    for (const EncodeProfile& profile : {EncodeProfile{}, with_vbv}) {
      for (bool dv : {true, false}) {
        EncodeJob job{"ffmpeg", "x265", "in.mkv", "out.hevc", dv ? "rpu.bin" : ""};
        auto c = BuildEncodeCommands(src, profile, job);
        REQUIRE(c.ok());
        const PictureFormat format = ChoosePictureFormat(src, dv);
        CHECK(c->pix_fmt == format.pix_fmt);
        CHECK(c->output_depth == format.output_depth);
        CHECK(c->decode == Concat({{"ffmpeg"},
                                   DecoderGlobalArgs(),
                                   {"-i", "in.mkv"},
                                   DecoderOutputArgs(format.pix_fmt),
                                   {"-"}}));
        auto picture = X265PictureArgs(src, profile, dv);
        REQUIRE(picture.ok());
        Argv dv_args, vbv_args;
        if (dv) dv_args = {"--dolby-vision-profile", "8.1", "--dolby-vision-rpu", "rpu.bin"};
        const VbvKbps vbv = ChooseVbv(src, profile, dv);
        if (vbv.enabled()) {
          vbv_args = {"--vbv-maxrate", std::to_string(vbv.maxrate), "--vbv-bufsize",
                      std::to_string(vbv.bufsize)};
        }
        CHECK(c->encode == Concat({{"x265", "--input", "-", "--y4m", "--frames",
                                    std::to_string(src.frame_count)},
                                   *picture,
                                   dv_args,
                                   vbv_args,
                                   profile.extra_args,
                                   {"--output", "out.hevc"}}));
        auto common = X265CommonArgs(src, profile, dv);
        REQUIRE(common.ok());
        CHECK(*common == Concat({*picture, profile.extra_args}));
      }
    }
  }
}

TEST_CASE("VBV: Dolby Vision fills in what the profile leaves unset; otherwise only pairs count") {
  media::MediaInfo uhd = UhdDolbyVisionSource();
  media::MediaInfo hd = uhd;
  hd.width = 1920;
  CHECK(ChooseVbv(uhd, EncodeProfile{}, true).maxrate == kDvVbvKbpsUhd);
  CHECK(ChooseVbv(uhd, EncodeProfile{}, true).bufsize == kDvVbvKbpsUhd);
  CHECK(ChooseVbv(hd, EncodeProfile{}, true).maxrate == kDvVbvKbpsHd);
  EncodeProfile p;
  p.vbv_maxrate_kbps = 30000;
  CHECK(ChooseVbv(hd, p, true).bufsize == 30000);  // bufsize follows maxrate
  CHECK_FALSE(ChooseVbv(hd, p, false).enabled());  // only maxrate: no VBV without DV
  p.vbv_bufsize_kbps = 45000;
  CHECK(ChooseVbv(hd, p, false).maxrate == 30000);
  CHECK(ChooseVbv(hd, p, false).bufsize == 45000);
  CHECK_FALSE(ChooseVbv(hd, EncodeProfile{}, false).enabled());
}

TEST_CASE("the common parts are valid manifest arguments and rebuild the chunk command lines") {
  const media::MediaInfo src = UhdDolbyVisionSource();
  chunk::ChunkManifest m;
  m.source_path = "/lib/film.mkv";
  m.frame_count = 100;
  m.fps_num = 24000;
  m.fps_den = 1001;
  m.rpu_file = "rpu.bin";
  m.rpu_sha256 = std::string(64, 'a');
  m.decoder_args = Concat({DecoderGlobalArgs(), DecoderOutputArgs("yuv420p10le")});
  auto common = X265CommonArgs(src, EncodeProfile{}, true);
  REQUIRE(common.ok());
  m.x265_args = *common;
  m.vbv.maxrate_kbps = ChooseVbv(src, EncodeProfile{}, true).maxrate;
  m.vbv.bufsize_kbps = ChooseVbv(src, EncodeProfile{}, true).bufsize;
  m.chunks = {{0, 0, 60, "slice-0000.bin", std::string(64, 'b'), "chunk-0000.hevc"},
              {1, 60, 40, "slice-0001.bin", std::string(64, 'c'), "chunk-0001.hevc"}};
  REQUIRE(chunk::ValidateManifest(m).ok());
  auto decode = chunk::ChunkDecoderArgv(m, 1, "ffmpeg", "/lib/film.mkv");
  REQUIRE(decode.ok());
  CHECK(*decode == Concat({{"ffmpeg", "-ss", chunk::SeekSeconds(60, 24000, 1001), "-i",
                            "/lib/film.mkv", "-frames:v", "40"},
                           m.decoder_args,
                           {"-"}}));
  // A profile whose extra arguments set what the chunks set themselves cannot be a manifest's.
  EncodeProfile bad;
  bad.extra_args = {"--frames", "10"};
  auto bad_common = X265CommonArgs(src, bad, true);
  REQUIRE(bad_common.ok());
  m.x265_args = *bad_common;
  CHECK(chunk::ValidateManifest(m).code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mkvfleet::agent::encode
