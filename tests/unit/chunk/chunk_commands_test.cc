// The per-chunk ffmpeg and x265 command lines, as exact argv vectors, and the seek time.
#include "common/chunk/chunk_commands.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace mkvfleet::chunk {
namespace {

using Argv = std::vector<std::string>;

ChunkManifest Manifest(int64_t maxrate, int64_t bufsize) {
  ChunkManifest m;
  m.source_path = "/srv/src.mkv";
  m.frame_count = 240;
  m.fps_num = 24000;
  m.fps_den = 1001;
  m.rpu_file = "rpu.bin";
  m.rpu_sha256 = std::string(64, 'f');
  m.decoder_args = {"-map",    "0:v:0", "-pix_fmt", "yuv420p10le",
                    "-strict", "-1",    "-f",       "yuv4mpegpipe"};
  m.x265_args = {"--preset", "fast", "--crf", "20"};
  m.vbv.maxrate_kbps = maxrate;
  m.vbv.bufsize_kbps = bufsize;
  for (int i = 0; i < 3; ++i) {
    m.chunks.push_back({i, 80 * i, 80, "s" + std::to_string(i) + ".bin", std::string(64, 'e'),
                        "c" + std::to_string(i) + ".hevc"});
  }
  return m;
}

Argv Decoder(const ChunkManifest& m, int index) {
  auto argv = ChunkDecoderArgv(m, index, "/usr/bin/ffmpeg", "/mnt/media/src.mkv");
  INFO(argv.status().ToString());
  REQUIRE(argv.ok());
  return *argv;
}

Argv Encoder(const ChunkManifest& m, int index) {
  auto argv = ChunkEncoderArgv(m, index, "x265", "/w/s.bin", "/w/c.hevc");
  INFO(argv.status().ToString());
  REQUIRE(argv.ok());
  return *argv;
}

TEST_CASE("seek time is half a frame before the first frame", "[chunk][commands]") {
  CHECK(SeekSeconds(80, 24000, 1001) == "3.315813");  // 79.5 * 1001 / 24000 = 3.3158125
  CHECK(std::stod(SeekSeconds(80, 24000, 1001)) == Approx(79.5 * 1001 / 24000).margin(1e-6));
  CHECK(SeekSeconds(1, 24, 1) == "0.020833");    // 0.5 / 24 = 0.0208333...
  CHECK(SeekSeconds(240, 24, 1) == "9.979167");  // 239.5 / 24 = 9.9791666...
  CHECK(SeekSeconds(172000, 24000, 1001) == "7173.812479");
  CHECK(SeekSeconds(3, 1, 1) == "2.500000");
  // 2-hour 120000/1001 at a large frame number: no overflow.
  CHECK(SeekSeconds(863136, 120000, 1001) == "7199.988629");
}

TEST_CASE("decoder argv seeks before -i except for the first chunk", "[chunk][commands]") {
  const ChunkManifest m = Manifest(0, 0);
  CHECK(Decoder(m, 0) == Argv{"/usr/bin/ffmpeg", "-i", "/mnt/media/src.mkv", "-frames:v", "80",
                              "-map", "0:v:0", "-pix_fmt", "yuv420p10le", "-strict", "-1", "-f",
                              "yuv4mpegpipe", "-"});
  CHECK(Decoder(m, 1) == Argv{"/usr/bin/ffmpeg", "-ss", "3.315813", "-i", "/mnt/media/src.mkv",
                              "-frames:v", "80", "-map", "0:v:0", "-pix_fmt", "yuv420p10le",
                              "-strict", "-1", "-f", "yuv4mpegpipe", "-"});
  CHECK(Decoder(m, 2)[2] == "6.652479");  // 159.5 * 1001 / 24000 = 6.65247916
}

TEST_CASE("encoder argv: common args, per-chunk options, VBV continuity", "[chunk][commands]") {
  const ChunkManifest m = Manifest(4000, 5000);
  const Argv head = {"x265",
                     "--preset",
                     "fast",
                     "--crf",
                     "20",
                     "--input",
                     "-",
                     "--y4m",
                     "--frames",
                     "80",
                     "--fps",
                     "24000/1001",
                     "--no-open-gop",
                     "--repeat-headers",
                     "--dolby-vision-profile",
                     "8.1",
                     "--dolby-vision-rpu",
                     "/w/s.bin",
                     "--vbv-maxrate",
                     "4000",
                     "--vbv-bufsize",
                     "5000"};
  auto with = [&head](Argv tail) {
    Argv all = head;
    all.insert(all.end(), tail.begin(), tail.end());
    return all;
  };
  CHECK(Encoder(m, 0) ==
        with({"--vbv-end", "0.9", "--vbv-end-fr-adj", "0.8", "--output", "/w/c.hevc"}));
  CHECK(Encoder(m, 1) == with({"--vbv-end", "0.9", "--vbv-end-fr-adj", "0.8", "--vbv-init", "0.75",
                               "--output", "/w/c.hevc"}));
  CHECK(Encoder(m, 2) == with({"--vbv-init", "0.75", "--output", "/w/c.hevc"}));

  // One chunk: neither end nor init.
  ChunkManifest single = m;
  single.frame_count = 80;
  single.chunks.resize(1);
  CHECK(Encoder(single, 0) == with({"--output", "/w/c.hevc"}));

  // Other fractions are printed as given.
  ChunkManifest tuned = m;
  tuned.vbv.end = 0.85;
  tuned.vbv.init = 0.7;
  CHECK(Encoder(tuned, 1) == with({"--vbv-end", "0.85", "--vbv-end-fr-adj", "0.8", "--vbv-init",
                                   "0.7", "--output", "/w/c.hevc"}));
}

TEST_CASE("encoder argv without VBV has no VBV options", "[chunk][commands]") {
  const ChunkManifest m = Manifest(0, 0);
  CHECK(Encoder(m, 1) == Argv{"x265",
                              "--preset",
                              "fast",
                              "--crf",
                              "20",
                              "--input",
                              "-",
                              "--y4m",
                              "--frames",
                              "80",
                              "--fps",
                              "24000/1001",
                              "--no-open-gop",
                              "--repeat-headers",
                              "--dolby-vision-profile",
                              "8.1",
                              "--dolby-vision-rpu",
                              "/w/s.bin",
                              "--output",
                              "/w/c.hevc"});
}

TEST_CASE("argv builders refuse a bad index or an invalid manifest", "[chunk][commands]") {
  const ChunkManifest m = Manifest(0, 0);
  for (int index : {-1, 3}) {
    auto dec = ChunkDecoderArgv(m, index, "ffmpeg", "src");
    CHECK(dec.status().code() == absl::StatusCode::kOutOfRange);
    CHECK_THAT(std::string(dec.status().message()),
               Catch::Contains("chunk " + std::to_string(index) +
                               " does not exist: the manifest has 3 chunks"));
    auto enc = ChunkEncoderArgv(m, index, "x265", "s", "o");
    CHECK(enc.status() == dec.status());
  }
  ChunkManifest bad = m;
  bad.x265_args.push_back("--output");
  CHECK(ChunkEncoderArgv(bad, 0, "x265", "s", "o").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ChunkDecoderArgv(bad, 0, "ffmpeg", "src").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mkvfleet::chunk
