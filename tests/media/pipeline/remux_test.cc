// The libavformat remuxer on a real generated profile 7 file, judged by mkvmerge -J and ffprobe:
// every track, flag, language, name and the chapters survive, and the DV record is the one asked;
// and the output file it writes through (libav::OutputFile).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/match.h"

#include "catch2/catch.hpp"
#include "common/libav/output_file.h"
#include "common/libav/remuxer.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet {
namespace {

using samplegen::SampleKind;
using nlohmann::json;

TEST_CASE("plain remux keeps every track, flag and chapter and sets the DV record") {
  const std::string dir = testing::MakeTempDir("remux");
  const std::string& src = testing::Sample(SampleKind::kP7Mel);
  const std::string out = dir + "/out.mkv";
  libav::CopyVideoInput copy;
  const dovi::DoviConfigRecord rec = dovi::Profile81Record(1);
  int64_t last_progress = 0;
  absl::StatusOr<libav::RemuxStats> stats = libav::Remux(
      {src, out, &copy, rec, [&](int64_t n) { last_progress = n; }, nullptr});
  INFO(stats.status().ToString());
  REQUIRE(stats.ok());
  CHECK(stats->source_video_packets == 48);
  CHECK(stats->output_video_packets == 48);
  CHECK(last_progress == 48);
  CHECK(stats->output_bytes == static_cast<int64_t>(std::filesystem::file_size(out)));

  json a = testing::ToolJson({"mkvmerge", "-J", src});
  json b = testing::ToolJson({"mkvmerge", "-J", out});
  REQUIRE(a["tracks"].size() == b["tracks"].size());
  for (size_t i = 0; i < a["tracks"].size(); ++i) {
    const json& pa = a["tracks"][i]["properties"];
    const json& pb = b["tracks"][i]["properties"];
    CHECK(a["tracks"][i]["type"] == b["tracks"][i]["type"]);
    for (const char* key : {"codec_id", "language", "track_name", "default_track", "forced_track"}) {
      INFO("track " << i << " " << key);
      CHECK(pa.value(key, json()) == pb.value(key, json()));
    }
  }
  CHECK(b["chapters"][0]["num_entries"] == a["chapters"][0]["num_entries"]);

  json probe = testing::ToolJson({"ffprobe", "-v", "error", "-select_streams", "v:0",
                                  "-count_packets", "-show_streams", "-of", "json", out});
  const json& v = probe["streams"][0];
  CHECK(v["nb_read_packets"] == "48");
  bool found = false;
  for (const json& sd : v["side_data_list"]) {
    if (sd["side_data_type"] == "DOVI configuration record") {
      found = true;
      CHECK(sd["dv_profile"] == 8);
      CHECK(sd["dv_bl_signal_compatibility_id"] == 1);
      CHECK(sd["el_present_flag"] == 0);
    }
  }
  CHECK(found);
}

TEST_CASE("remux of a missing source fails naming it and leaves no output") {
  const std::string dir = testing::MakeTempDir("remux");
  libav::CopyVideoInput copy;
  absl::StatusOr<libav::RemuxStats> stats =
      libav::Remux({dir + "/missing.mkv", dir + "/out.mkv", &copy, std::nullopt, nullptr, nullptr});
  REQUIRE_FALSE(stats.ok());
  CHECK(stats.status().code() == absl::StatusCode::kNotFound);
  CHECK_FALSE(std::filesystem::exists(dir + "/out.mkv"));
}

TEST_CASE("remux output file: buffered writes, seeks back, size and early writeback") {
  const std::string dir = testing::MakeTempDir("remux");
  const std::string path = dir + "/out.bin";
  absl::StatusOr<std::unique_ptr<libav::OutputFile>> f = libav::OutputFile::Create(path);
  REQUIRE(f.ok());
  AVIOContext* pb = (*f)->avio();
  // More than one writeback chunk, so sync_file_range runs, then a rewrite near the start.
  const int64_t total = libav::OutputFile::kWritebackChunk + 3 * 1000 * 1000 + 7;
  std::vector<uint8_t> block(1000 * 1000);
  int64_t written = 0;
  while (written < total) {
    const int n = static_cast<int>(std::min<int64_t>(block.size(), total - written));
    for (int i = 0; i < n; ++i) block[i] = static_cast<uint8_t>((written + i) % 251);
    avio_write(pb, block.data(), n);
    written += n;
  }
  CHECK(avio_tell(pb) == total);
  avio_flush(pb);
  CHECK(avio_size(pb) == total);  // what the file holds (the buffer is flushed)
  CHECK(avio_seek(pb, 10, SEEK_SET) == 10);
  const uint8_t marker[4] = {0xde, 0xad, 0xbe, 0xef};
  avio_write(pb, marker, 4);
  CHECK(avio_seek(pb, total, SEEK_SET) == total);
  REQUIRE((*f)->Close().ok());
  REQUIRE(static_cast<int64_t>(std::filesystem::file_size(path)) == total);
  std::ifstream in(path, std::ios::binary);
  std::vector<char> back(total);
  in.read(back.data(), total);
  CHECK(static_cast<uint8_t>(back[9]) == 9);
  CHECK(static_cast<uint8_t>(back[10]) == 0xde);
  CHECK(static_cast<uint8_t>(back[13]) == 0xef);
  CHECK(static_cast<uint8_t>(back[14]) == 14);
  CHECK(static_cast<uint8_t>(back[total - 1]) == (total - 1) % 251);
}

TEST_CASE("remux output file: a write error is reported by Close, naming the file") {
  // /dev/full takes the open and refuses every write with ENOSPC.
  absl::StatusOr<std::unique_ptr<libav::OutputFile>> f = libav::OutputFile::Create("/dev/full");
  REQUIRE(f.ok());
  std::vector<uint8_t> block(4 << 20, 1);
  avio_write((*f)->avio(), block.data(), static_cast<int>(block.size()));
  const absl::Status s = (*f)->Close();
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == absl::StatusCode::kInternal);
  CHECK(absl::StrContains(s.message(), "/dev/full"));
}

TEST_CASE("remux output file: an unwritable path fails naming it") {
  const std::string dir = testing::MakeTempDir("remux");
  absl::StatusOr<std::unique_ptr<libav::OutputFile>> f =
      libav::OutputFile::Create(dir + "/no/such/folder/out.mkv");
  REQUIRE_FALSE(f.ok());
  CHECK(absl::StrContains(f.status().message(), "no/such/folder/out.mkv"));
}

}  // namespace
}  // namespace mkvfleet
