// `mkvctl gen-sample` for every kind, checked with tools that are not ours: mkvmerge -J (tracks,
// languages, chapters), mkvinfo (the Dolby Vision configuration mkvmerge wrote), ffprobe (DOVI
// side data, PQ transfer, frame count), mediainfo (dvhe.07 / dvhe.08, HDR10 metadata), and then
// our own `mkvctl dovi info` / `extract-rpu` against the RPUs the generator meant to write.
#include <catch2/catch.hpp>

#include <array>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "common/dovi/rpu.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/samplegen/sample_rpus.h"
#include "common/samplegen/sample_spec.h"
#include "tests/media/dovi/cli_runner.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace {

struct Expect {
  const char* kind;
  int dv_profile;           // 0: no Dolby Vision
  bool el;                  // dual layer
  int compat;               // dv_bl_signal_compatibility_id
  const char* el_type;      // from `dovi info`, "" for none
  const char* mediainfo;    // HDR_Format_Profile prefix, "" for none
  const char* transfer;     // ffprobe color_transfer
};

const Expect kExpect[] = {
    {"p7-mel", 7, true, 6, "MEL", "dvhe.07", "smpte2084"},
    {"p7-fel", 7, true, 6, "FEL", "dvhe.07", "smpte2084"},
    {"p8.1", 8, false, 1, "", "dvhe.08", "smpte2084"},
    {"hdr10", 0, false, 0, "", "", "smpte2084"},
    {"sdr", 0, false, 0, "", "", "bt709"},
};

constexpr int kFrames = 48;  // default 2 s at 24 fps

void CheckTracks(const std::string& mkv) {
  nlohmann::json j = RunJson({"mkvmerge", "-J", mkv});
  int video = 0, audio = 0, subs = 0;
  std::vector<std::string> audio_langs;
  for (const auto& t : j["tracks"]) {
    if (t["type"] == "video") ++video;
    if (t["type"] == "audio") {
      ++audio;
      audio_langs.push_back(t["properties"]["language"].get<std::string>());
      CHECK_FALSE(t["properties"]["track_name"].get<std::string>().empty());
    }
    if (t["type"] == "subtitles") {
      ++subs;
      CHECK(t["codec"] == "SubRip/SRT");
    }
  }
  CHECK(video == 1);
  CHECK(audio == 2);
  CHECK(subs == 1);
  REQUIRE(audio_langs.size() == 2);
  CHECK(audio_langs[0] != audio_langs[1]);
  CHECK(audio_langs[0] == "eng");
  CHECK((audio_langs[1] == "fre" || audio_langs[1] == "fra"));
  REQUIRE(j["chapters"].size() == 1);
  CHECK(j["chapters"][0]["num_entries"] == 2);
  CHECK(j["errors"].empty());
}

// The dvcC/dvvC bytes as mkvinfo prints them: "Block addition ID extra data: length 24, data:
// 0x01 0x00 0x0e 0x0f 0x60 ...". Returns {profile, el_present, compat} or {-1,..} when absent.
std::array<int, 3> MkvinfoDoviConfig(const std::string& mkv) {
  CommandResult r = RunCommand({"mkvinfo", mkv});
  REQUIRE(r.exit_code == 0);
  std::smatch m;
  std::regex re("extra data: length \\d+, data: 0x([0-9a-f]{2}) 0x([0-9a-f]{2}) 0x([0-9a-f]{2}) "
                "0x([0-9a-f]{2}) 0x([0-9a-f]{2})");
  if (!std::regex_search(r.out, m, re)) return {-1, -1, -1};
  int b2 = std::stoi(m[3], nullptr, 16), b3 = std::stoi(m[4], nullptr, 16),
      b4 = std::stoi(m[5], nullptr, 16);
  return {b2 >> 1, (b3 >> 1) & 1, b4 >> 4};
}

void CheckFfprobe(const std::string& mkv, const Expect& e) {
  nlohmann::json j = RunJson({"ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0",
                              "-show_streams", "-of", "json", mkv});
  REQUIRE(j["streams"].size() == 1);
  const auto& s = j["streams"][0];
  CHECK(s["codec_name"] == "hevc");
  CHECK(s["color_transfer"] == e.transfer);
  CHECK(s["nb_read_packets"] == std::to_string(kFrames));
  const nlohmann::json* dovi = nullptr;
  if (s.contains("side_data_list")) {
    for (const auto& sd : s["side_data_list"]) {
      if (sd["side_data_type"] == "DOVI configuration record") dovi = &sd;
    }
  }
  if (e.dv_profile == 0) {
    CHECK(dovi == nullptr);
    return;
  }
  REQUIRE(dovi != nullptr);
  CHECK((*dovi)["dv_profile"] == e.dv_profile);
  CHECK((*dovi)["el_present_flag"] == (e.el ? 1 : 0));
  CHECK((*dovi)["rpu_present_flag"] == 1);
  CHECK((*dovi)["dv_bl_signal_compatibility_id"] == e.compat);
}

void CheckMediainfo(const std::string& mkv, const Expect& e) {
  nlohmann::json j = RunJson({"mediainfo", "--Output=JSON", mkv});
  const nlohmann::json* video = nullptr;
  for (const auto& t : j["media"]["track"]) {
    if (t["@type"] == "Video") video = &t;
  }
  REQUIRE(video != nullptr);
  CHECK((*video)["FrameCount"] == std::to_string(kFrames));
  std::string profile = video->value("HDR_Format_Profile", "");
  std::string format = video->value("HDR_Format", "");
  if (e.dv_profile != 0) {
    CHECK(profile.rfind(e.mediainfo, 0) == 0);
    CHECK(format.find("Dolby Vision") != std::string::npos);
    CHECK(video->value("HDR_Format_Settings", "").find(e.el ? "BL+EL+RPU" : "BL+RPU") == 0);
  } else {
    CHECK(format.find("Dolby Vision") == std::string::npos);
  }
  if (std::string(e.transfer) == "smpte2084") {
    // HDR10 static metadata from x265's SEIs: mastering display and content light level.
    CHECK(format.find("SMPTE ST 2086") != std::string::npos);
    CHECK(video->value("MaxCLL", "").find("1000") == 0);
    CHECK(video->value("MasteringDisplay_Luminance", "").find("max: 1000 cd/m2") !=
          std::string::npos);
  }
}

void CheckOurView(const std::string& mkv, const Expect& e, const std::string& dir) {
  CommandResult r = RunMkvctl({"dovi", "info", "--json", mkv});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json j = nlohmann::json::parse(r.out);
  if (e.dv_profile == 0) {
    CHECK(j["rpus"] == 0);
    CHECK(j["profile"].is_null());
    return;
  }
  CHECK(j["profile"] == e.dv_profile);
  CHECK(j["rpus"] == kFrames);
  if (std::string(e.el_type).empty()) {
    CHECK(j["el_type"].is_null());
  } else {
    CHECK(j["el_type"] == e.el_type);
  }
  CHECK(j["video"]["dovi_configuration"]["profile"] == e.dv_profile);
  // Per-frame L1: the values change over the sample.
  CHECK(j["l1"]["frames"] == kFrames);
  CHECK(j["l1"]["max_pq"]["min"] < j["l1"]["max_pq"]["max"]);

  // The RPUs in the file, in display order, are exactly the ones the generator built.
  CommandResult ex = RunMkvctl({"dovi", "extract-rpu", mkv, "-o", dir + "/rpus.bin"});
  INFO(ex.err);
  REQUIRE(ex.exit_code == 0);
  auto kind = samplegen::ParseSampleKind(e.kind);
  REQUIRE(kind.ok());
  auto expected = samplegen::BuildSampleRpuFile(*kind, kFrames);
  REQUIRE(expected.ok());
  CHECK(ReadFileOrFail(dir + "/rpus.bin") == std::string(expected->begin(), expected->end()));
}

TEST_CASE("gen-sample makes real media for every kind") {
  for (const Expect& e : kExpect) {
    SECTION(e.kind) {
      std::string dir = MakeTempDir("gen-sample");
      std::string mkv = dir + "/sample.mkv";
      CommandResult r = RunMkvctl({"gen-sample", "--kind", e.kind, "-o", mkv, "--quiet"});
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      CHECK(std::filesystem::file_size(mkv) > 1000);
      CheckTracks(mkv);
      std::array<int, 3> cfg = MkvinfoDoviConfig(mkv);
      if (e.dv_profile != 0) {
        CHECK(cfg[0] == e.dv_profile);
        CHECK(cfg[1] == (e.el ? 1 : 0));
        CHECK(cfg[2] == e.compat);
      } else {
        CHECK(cfg[0] == -1);
      }
      CheckFfprobe(mkv, e);
      CheckMediainfo(mkv, e);
      CheckOurView(mkv, e, dir);
      // Nothing but the output is left in the folder.
      int entries = 0;
      for (const auto& f : std::filesystem::directory_iterator(dir)) {
        (void)f;
        ++entries;
      }
      CHECK(entries == (e.dv_profile != 0 ? 2 : 1));
    }
  }
}

TEST_CASE("gen-sample --scene-every sets scene_refresh_flag on exactly those frames") {
  std::string dir = MakeTempDir("gen-sample-scenes");
  std::string mkv = dir + "/scenes.mkv";
  CommandResult r = RunMkvctl({"gen-sample", "--kind", "p8.1", "-o", mkv, "--seconds", "3",
                               "--scene-every", "24", "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The RPUs as they are in the file (our extract-rpu, display order), parsed by common/dovi.
  CommandResult ex = RunMkvctl({"dovi", "extract-rpu", mkv, "-o", dir + "/rpus.bin"});
  INFO(ex.err);
  REQUIRE(ex.exit_code == 0);
  const std::string bytes = ReadFileOrFail(dir + "/rpus.bin");
  const std::vector<uint8_t> file(bytes.begin(), bytes.end());
  auto payloads = dovi::ParseRpuFile(file);
  REQUIRE(payloads.ok());
  REQUIRE(payloads->size() == 72);
  std::vector<int> scene_starts;
  std::set<std::vector<uint8_t>> distinct;
  for (size_t f = 0; f < payloads->size(); ++f) {
    auto rpu = dovi::ParseRpu((*payloads)[f]);
    REQUIRE(rpu.ok());
    REQUIRE(rpu->vdr_dm_data.has_value());
    if (rpu->vdr_dm_data->scene_refresh_flag != 0) scene_starts.push_back(static_cast<int>(f));
    distinct.emplace((*payloads)[f].begin(), (*payloads)[f].end());
  }
  CHECK(scene_starts == std::vector<int>{0, 24, 48});
  CHECK(distinct.size() == 72);  // every frame still has its own RPU
  // `dovi info` counts the same scene cuts; ffprobe sees 72 frames.
  nlohmann::json info = RunJson({MkvctlPath(), "dovi", "info", "--json", mkv});
  CHECK(info["scene_cuts"] == 3);
  nlohmann::json probe = RunJson({"ffprobe", "-v", "error", "-count_packets", "-select_streams",
                                  "v:0", "-show_streams", "-of", "json", mkv});
  CHECK(probe["streams"][0]["nb_read_packets"] == "72");
}

TEST_CASE("gen-sample rejects bad options with one line and no output") {
  std::string dir = MakeTempDir("gen-sample");
  CommandResult r = RunMkvctl({"gen-sample", "--kind", "sdr", "-o", dir + "/x.mkv", "--size",
                               "250x144"});
  CHECK(r.exit_code == 1);
  CHECK(CountLines(r.err) == 1);
  CHECK(r.err.find("multiples of 4") != std::string::npos);
  r = RunMkvctl({"gen-sample", "--kind", "sdr", "-o", "/nonexistent-dir/x.mkv"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("/nonexistent-dir") != std::string::npos);
  CHECK(std::filesystem::is_empty(dir));
}

}  // namespace
}  // namespace mkvfleet::testing
