// The direct element-level rewrite (matroska::RewriteMatroska) on real generated mkvmerge files
// and ffmpeg copies of them: an identity rewrite reproduces the source byte for byte; the Dolby
// Vision conversion gives the same video frames as the libavformat remux while every other
// packet, track property, chapter and tag stays the source's; the stored indexes (Cues,
// SeekHead) point at what they name; ffmpeg's CRC-32 elements stay right (judged by MediaInfo);
// and the layouts it does not handle, bad and truncated sources fail cleanly without an output.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/media/dv_convert_input.h"
#include "catch2/catch.hpp"
#include "common/matroska/ebml.h"
#include "common/matroska/ebml_children.h"
#include "common/libav/matroska_reader.h"
#include "common/matroska/matroska_rewriter.h"
#include "common/libav/remuxer.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet {
namespace {

using samplegen::SampleKind;
using nlohmann::json;

// Frames passed through unchanged.
class SameFrames final : public matroska::FrameRewriter {
 public:
  absl::Status Start(const matroska::VideoTrackEntry& t) override {
    track = t;
    return absl::OkStatus();
  }
  absl::Status Rewrite(absl::Span<const uint8_t> frame, std::vector<uint8_t>& out) override {
    out.insert(out.end(), frame.begin(), frame.end());
    return absl::OkStatus();
  }
  matroska::VideoTrackEntry track;
};

dovi::DoviConfigRecord Profile81() { return dovi::Profile81Record(1); }

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Every packet of a file: stream index, pts and bytes.
struct Packet {
  int stream = 0;
  int64_t pts = 0;
  std::vector<uint8_t> data;
  bool operator==(const Packet&) const = default;
};
std::vector<Packet> Packets(const std::string& path) {
  absl::StatusOr<std::unique_ptr<libav::MatroskaReader>> r = libav::MatroskaReader::Open(path);
  REQUIRE(r.ok());
  std::vector<Packet> all;
  libav::PacketPtr p = libav::MakePacket();
  while (true) {
    absl::StatusOr<bool> got = (*r)->ReadPacket(*p);
    REQUIRE(got.ok());
    if (!*got) break;
    all.push_back({p->stream_index, p->pts, std::vector<uint8_t>(p->data, p->data + p->size)});
    av_packet_unref(p.get());
  }
  return all;
}

// The lines of the tags XML mkvextract writes for `path`.
std::vector<std::string> TagLines(const std::string& path, const std::string& xml) {
  testing::RunTool({"mkvextract", path, "tags", xml});
  std::ifstream in(xml);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() > 10);
  return lines;
}

// Element header at `at` of `file`.
matroska::ElementHeader HeaderAt(const std::vector<uint8_t>& file, uint64_t at) {
  REQUIRE(at < file.size());
  absl::StatusOr<matroska::ElementHeader> h =
      matroska::ParseElementHeader(absl::Span<const uint8_t>(file).subspan(at));
  REQUIRE(h.ok());
  return *h;
}

// Checks that each SeekHead entry names the element at its position, and that each cue points
// at a Cluster and, inside it, at a block of the cued track. Returns the number of cues checked.
int CheckIndexes(const std::string& path) {
  const std::vector<uint8_t> file = ReadFile(path);
  const matroska::ElementHeader ebml = HeaderAt(file, 0);
  const uint64_t seg_at = ebml.header_size + ebml.data_size;
  const matroska::ElementHeader seg = HeaderAt(file, seg_at);
  REQUIRE(seg.id == matroska::kIdSegment);
  const uint64_t base = seg_at + seg.header_size;
  REQUIRE(base + seg.data_size == file.size());
  int cues_checked = 0;
  for (uint64_t at = base; at < file.size();) {
    const matroska::ElementHeader h = HeaderAt(file, at);
    const auto data = absl::Span<const uint8_t>(file).subspan(at + h.header_size, h.data_size);
    if (h.id == matroska::kIdSeekHead) {
      auto seeks = matroska::ParseChildren(data, "SeekHead");
      REQUIRE(seeks.ok());
      for (const matroska::Child& s : *seeks) {
        if (s.header.id == matroska::kIdCrc32) continue;
        auto kids = matroska::ParseChildren(s.data, "Seek");
        REQUIRE(kids.ok());
        const matroska::Child* id = matroska::FindChild(*kids, matroska::kIdSeekId);
        REQUIRE(id != nullptr);
        auto want = matroska::ReadUnsigned(id->data);
        auto pos = matroska::ChildUnsigned(*kids, matroska::kIdSeekPosition, 0);
        REQUIRE(pos.ok());
        CHECK(HeaderAt(file, base + *pos).id == *want);
      }
    }
    if (h.id == matroska::kIdCues) {
      auto points = matroska::ParseChildren(data, "Cues");
      REQUIRE(points.ok());
      for (const matroska::Child& p : *points) {
        if (p.header.id == matroska::kIdCrc32) continue;
        auto kids = matroska::ParseChildren(p.data, "CuePoint");
        REQUIRE(kids.ok());
        for (const matroska::Child& tp : *kids) {
          if (tp.header.id != matroska::kIdCueTrackPositions) continue;
          auto f = matroska::ParseChildren(tp.data, "CueTrackPositions");
          REQUIRE(f.ok());
          auto track = matroska::ChildUnsigned(*f, 0xF7, 0);
          auto cluster = matroska::ChildUnsigned(*f, matroska::kIdCueClusterPosition, 0);
          auto rel = matroska::ChildUnsigned(*f, matroska::kIdCueRelativePosition, 0);
          const matroska::ElementHeader c = HeaderAt(file, base + *cluster);
          REQUIRE(c.id == matroska::kIdCluster);
          uint64_t block_at = base + *cluster + c.header_size + *rel;
          matroska::ElementHeader b = HeaderAt(file, block_at);
          if (b.id == matroska::kIdBlockGroup) {
            block_at += b.header_size;
            b = HeaderAt(file, block_at);
            REQUIRE(b.id == matroska::kIdBlock);
          } else {
            REQUIRE(b.id == matroska::kIdSimpleBlock);
          }
          CHECK((file[block_at + b.header_size] & 0x7F) == *track);  // 1-byte track numbers
          ++cues_checked;
        }
      }
    }
    at += h.header_size + h.data_size;
  }
  return cues_checked;
}

TEST_CASE("an identity rewrite reproduces the source byte for byte") {
  const std::string dir = testing::MakeTempDir("rewrite");
  const std::string& src = testing::Sample(SampleKind::kP7Mel);
  const std::string out = dir + "/same.mkv";
  SameFrames frames;
  int64_t progress = 0;
  absl::StatusOr<libav::RemuxStats> stats = matroska::RewriteMatroska(
      {src, out, &frames, {}, matroska::kFourccDvvc, [&](int64_t n) { progress = n; }, nullptr});
  INFO(stats.status().ToString());
  REQUIRE(stats.ok());
  CHECK(frames.track.codec_id == "V_MPEGH/ISO/HEVC");
  CHECK(frames.track.has_dovi_mapping);
  CHECK(stats->source_video_packets == 48);
  CHECK(progress == 48);
  CHECK(stats->output_bytes == static_cast<int64_t>(std::filesystem::file_size(src)));
  CHECK(testing::Sha256OfFile(out) == testing::Sha256OfFile(src));
}

TEST_CASE("dv-convert by direct rewrite: the libav remux's frames, everything else the source's") {
  const std::string dir = testing::MakeTempDir("rewrite");
  const std::string& src = testing::Sample(SampleKind::kP7Mel);
  const std::string direct = dir + "/direct.mkv";
  const std::string lavf = dir + "/lavf.mkv";
  agent::media::DvConvertInput frames;
  absl::StatusOr<libav::RemuxStats> stats = matroska::RewriteMatroska(
      {src, direct, &frames, dovi::SerializeDoviConfigRecord(Profile81()), matroska::kFourccDvvc,
       nullptr, nullptr});
  INFO(stats.status().ToString());
  REQUIRE(stats.ok());
  CHECK(stats->source_video_packets == 48);
  CHECK(frames.packets_without_rpu() == 0);
  CHECK(stats->output_bytes == static_cast<int64_t>(std::filesystem::file_size(direct)));
  CHECK(stats->output_bytes < static_cast<int64_t>(std::filesystem::file_size(src)));
  agent::media::DvConvertInput video;
  REQUIRE(libav::Remux({src, lavf, &video, Profile81(), nullptr, nullptr}).ok());

  // Video frames equal to the libav path's; other packets equal to the source's.
  const std::vector<Packet> a = Packets(src), b = Packets(direct), c = Packets(lavf);
  REQUIRE(a.size() == b.size());
  std::vector<std::vector<uint8_t>> direct_video, lavf_video;
  uint64_t video_bytes = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].stream == b[i].stream);
    CHECK(a[i].pts == b[i].pts);
    if (b[i].stream == 0) {
      direct_video.push_back(b[i].data);
      video_bytes += b[i].data.size();
    } else {
      CHECK(a[i].data == b[i].data);
    }
  }
  for (const Packet& p : c) {
    if (p.stream == 0) lavf_video.push_back(p.data);
  }
  CHECK(direct_video == lavf_video);

  // Track properties, chapters and tags as the source has them; the video statistics restated.
  json js = testing::ToolJson({"mkvmerge", "-J", src});
  json jd = testing::ToolJson({"mkvmerge", "-J", direct});
  REQUIRE(js["tracks"].size() == jd["tracks"].size());
  for (size_t i = 0; i < js["tracks"].size(); ++i) {
    json ps = js["tracks"][i]["properties"], pd = jd["tracks"][i]["properties"];
    INFO("track " << i);
    CHECK(ps == pd);  // uid, language, name, flags, codec private, ... all of them
  }
  CHECK(jd["chapters"] == js["chapters"]);
  // Tags: the same XML from mkvextract but for the video track's BPS and NUMBER_OF_BYTES.
  const std::vector<std::string> ts = TagLines(src, dir + "/src.xml");
  const std::vector<std::string> td = TagLines(direct, dir + "/direct.xml");
  REQUIRE(ts.size() == td.size());
  std::vector<size_t> changed;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (ts[i] != td[i]) changed.push_back(i);
  }
  REQUIRE(changed.size() == 2);  // the first Tag targets the video track (mkvmerge's order)
  CHECK(absl::StrContains(td[changed[0] - 1], "<Name>BPS</Name>"));
  CHECK(absl::StrContains(td[changed[1] - 1], "<Name>NUMBER_OF_BYTES</Name>"));
  CHECK(absl::StrContains(td[changed[1]], absl::StrCat("<String>", video_bytes, "</String>")));
  CHECK(jd["global_tags"] == js["global_tags"]);
  CHECK(jd["container"]["properties"]["segment_uid"] == js["container"]["properties"]["segment_uid"]);

  json probe = testing::ToolJson({"ffprobe", "-v", "error", "-select_streams", "v:0",
                                  "-show_streams", "-of", "json", direct});
  bool found = false;
  for (const json& sd : probe["streams"][0]["side_data_list"]) {
    if (sd["side_data_type"] != "DOVI configuration record") continue;
    found = true;
    CHECK(sd["dv_profile"] == 8);
    CHECK(sd["dv_level"] == 1);
    CHECK(sd["dv_bl_signal_compatibility_id"] == 1);
    CHECK(sd["el_present_flag"] == 0);
  }
  CHECK(found);
  CHECK(absl::StrContains(testing::RunTool({"mkvinfo", "-v", direct}), "(dvvC)"));
  CHECK(CheckIndexes(direct) >= 2);
  CHECK(CheckIndexes(src) >= 2);  // the checker itself on mkvmerge's own file
}

// MediaInfo's verdict on every CRC-32 element of `path` ("- OK" / "- NOK" in its trace).
struct CrcVerdicts {
  int ok = 0;
  int bad = 0;
};
CrcVerdicts MediaInfoCrcs(const std::string& path) {
  const std::string trace = testing::RunTool({"mediainfo", "--Details=1", path});
  CrcVerdicts v;
  std::istringstream in(trace);
  bool in_crc = false;
  for (std::string line; std::getline(in, line);) {
    if (absl::StrContains(line, "CRC-32 (")) in_crc = true;
    if (!in_crc || !absl::StrContains(line, "Value:")) continue;
    in_crc = false;
    if (absl::EndsWith(line, "- OK")) ++v.ok;
    if (absl::EndsWith(line, "- NOK")) ++v.bad;
  }
  return v;
}

// ffmpeg's Matroska muxer writes a CRC-32 first in every level-1 element: the rewrite keeps each
// one, restated over what it covers after the edit.
TEST_CASE("a libavformat-written file (CRC-32 in every level-1 element) is rewritten directly") {
  const std::string dir = testing::MakeTempDir("rewrite");
  const std::string lavf_src = dir + "/lavf source.mkv";
  testing::FfmpegCopyOfSample(SampleKind::kP7Mel, lavf_src, testing::kFfmpegNoVideoStats);
  const CrcVerdicts source_crcs = MediaInfoCrcs(lavf_src);
  REQUIRE(source_crcs.ok >= 6);  // SeekHead, Info, Tracks, Chapters, Tags, Cluster, Cues
  REQUIRE(source_crcs.bad == 0);

  SECTION("identity: byte for byte") {
    const std::string out = dir + "/same.mkv";
    SameFrames frames;
    absl::StatusOr<libav::RemuxStats> stats = matroska::RewriteMatroska(
        {lavf_src, out, &frames, {}, matroska::kFourccDvvc, nullptr, nullptr});
    INFO(stats.status().ToString());
    REQUIRE(stats.ok());
    CHECK(testing::Sha256OfFile(out) == testing::Sha256OfFile(lavf_src));
  }
  SECTION("dv-convert: every CRC-32 still right, frames as the libav remux makes them") {
    const std::string direct = dir + "/direct.mkv";
    agent::media::DvConvertInput frames;
    absl::StatusOr<libav::RemuxStats> stats = matroska::RewriteMatroska(
        {lavf_src, direct, &frames, dovi::SerializeDoviConfigRecord(Profile81()),
         matroska::kFourccDvvc, nullptr, nullptr});
    INFO(stats.status().ToString());
    REQUIRE(stats.ok());
    CHECK(stats->source_video_packets == 48);
    const CrcVerdicts crcs = MediaInfoCrcs(direct);
    CHECK(crcs.ok == source_crcs.ok);
    CHECK(crcs.bad == 0);
    CHECK(CheckIndexes(direct) >= 1);

    const std::string lavf = dir + "/lavf.mkv";
    agent::media::DvConvertInput video;
    REQUIRE(libav::Remux({lavf_src, lavf, &video, Profile81(), nullptr, nullptr}).ok());
    const std::vector<Packet> a = Packets(lavf_src), b = Packets(direct), c = Packets(lavf);
    REQUIRE(a.size() == b.size());
    REQUIRE(b.size() == c.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(b[i].stream == a[i].stream);
      CHECK(b[i].pts == a[i].pts);
      CHECK(b[i].data == (b[i].stream == 0 ? c[i].data : a[i].data));
    }

    // The check can fail: one changed byte inside the cluster makes MediaInfo say NOK.
    const std::string damaged = dir + "/damaged.mkv";
    std::filesystem::copy_file(direct, damaged);
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(damaged) / 2));
    f.put('\x5A').put('\xA5');
    f.close();
    CHECK(MediaInfoCrcs(damaged).bad == 1);
  }
}

TEST_CASE("layouts the rewrite does not handle are left to the libav remux") {
  const std::string dir = testing::MakeTempDir("rewrite");
  const std::string src = dir + "/lavf source.mkv";
  std::string why;
  SECTION("the video track's byte statistics before the clusters") {
    testing::FfmpegCopyOfSample(SampleKind::kP7Mel, src);
    why = "video statistics tags before the clusters";
  }
  SECTION("Cues before the clusters") {
    std::vector<std::string> extra = testing::kFfmpegNoVideoStats;
    extra.insert(extra.end(), {"-reserve_index_space", "20000"});
    testing::FfmpegCopyOfSample(SampleKind::kP7Mel, src, extra);
    why = "Cues before the clusters";
  }
  const std::string out = dir + "/out.mkv";
  SameFrames frames;
  absl::StatusOr<libav::RemuxStats> stats = matroska::RewriteMatroska(
      {src, out, &frames, {}, matroska::kFourccDvvc, nullptr, nullptr});
  REQUIRE_FALSE(stats.ok());
  CHECK(stats.status().code() == absl::StatusCode::kUnimplemented);
  CHECK(absl::StrContains(stats.status().message(), why));
  CHECK(absl::StrContains(stats.status().message(), src));
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("bad sources fail naming the file, without an output") {
  const std::string dir = testing::MakeTempDir("rewrite");
  const std::string out = dir + "/out.mkv";
  SameFrames frames;
  auto run = [&](const std::string& src) {
    return matroska::RewriteMatroska({src, out, &frames, {}, matroska::kFourccDvvc, nullptr, nullptr});
  };
  SECTION("missing") {
    absl::StatusOr<libav::RemuxStats> s = run(dir + "/missing.mkv");
    CHECK(s.status().code() == absl::StatusCode::kNotFound);
  }
  SECTION("text named .mkv") {
    const std::string text = dir + "/notes.mkv";
    std::ofstream(text) << "just some text, not a film\n";
    absl::StatusOr<libav::RemuxStats> s = run(text);
    CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(s.status().message(), text));
  }
  SECTION("truncated") {
    const std::string cut = dir + "/cut.mkv";
    testing::CopySample(SampleKind::kP7Mel, cut);
    std::filesystem::resize_file(cut, std::filesystem::file_size(cut) / 2);
    absl::StatusOr<libav::RemuxStats> s = run(cut);
    CHECK(s.status().code() == absl::StatusCode::kDataLoss);
    CHECK(absl::StrContains(s.status().message(), cut));
  }
  CHECK_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace mkvfleet
