// MatroskaReader on the real regular.mkv sample and on inputs that must fail with a clear error.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "common/libav/matroska_reader.h"
#include "tests/test_paths.h"

namespace mkvfleet::libav {
namespace {

using testing::DoviSamplesDir;

std::string Sample(const std::string& name) { return DoviSamplesDir() + "/hevc/" + name; }

TEST_CASE("regular.mkv: HEVC track with profile 8.1 configuration and 259 packets") {
  QuietLibavLogging();
  auto reader = MatroskaReader::Open(Sample("regular.mkv"));
  REQUIRE(reader.ok());
  const VideoTrackInfo& v = (*reader)->video();
  CHECK(v.is_hevc);
  CHECK(v.codec_name == "hevc");
  CHECK(v.width == 256);
  CHECK(v.height == 144);
  CHECK(v.frame_rate == Rational{24000, 1001});
  REQUIRE(v.codec_private.size() > 23);
  CHECK(v.codec_private[0] == 1);            // hvcC configurationVersion
  CHECK((v.codec_private[21] & 3) + 1 == 4);  // lengthSizeMinusOne + 1
  REQUIRE(v.dovi.has_value());
  CHECK(v.dovi->dv_profile == 8);
  CHECK(v.dovi->dv_bl_signal_compatibility_id == 1);
  CHECK(v.dovi->rpu_present_flag);
  CHECK_FALSE(v.dovi->el_present_flag);

  PacketPtr pkt = MakePacket();
  int packets = 0;
  size_t bytes = 0;
  while (true) {
    auto got = (*reader)->ReadVideoPacket(*pkt);
    REQUIRE(got.ok());
    if (!*got) break;
    ++packets;
    bytes += pkt->size;
    REQUIRE(pkt->size > 4);
  }
  CHECK(packets == 259);
  CHECK(bytes > 0);
}

TEST_CASE("a missing file is NotFound and names the file") {
  auto reader = MatroskaReader::Open("/nonexistent/dir/movie.mkv");
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().code() == absl::StatusCode::kNotFound);
  CHECK(reader.status().message() == "/nonexistent/dir/movie.mkv: no such file");
}

TEST_CASE("a text file is not a media file") {
  QuietLibavLogging();
  std::string path = testing::MakeTempDir("mkv-reader") + "/notes.mkv";
  std::ofstream(path) << "this is not a video\n";
  auto reader = MatroskaReader::Open(path);
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(reader.status().message().find(path) == 0);
}

TEST_CASE("a raw HEVC stream is not Matroska") {
  QuietLibavLogging();
  auto reader = MatroskaReader::Open(Sample("regular.hevc"));
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(reader.status().message().find("not a Matroska file") != std::string::npos);
}

TEST_CASE("a directory is not a file") {
  auto reader = MatroskaReader::Open(DoviSamplesDir());
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().message().find("not a regular file") != std::string::npos);
}

}  // namespace
}  // namespace mkvfleet::libav
