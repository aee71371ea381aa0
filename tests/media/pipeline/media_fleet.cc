// The pipeline media tests' harness (see media_fleet.h).
#include "tests/media/pipeline/media_fleet.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "catch2/catch.hpp"
#include "tests/media/pipeline/daemon_child.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
std::string Bin(const std::string& rel) { return BinaryDir() + "/" + rel; }
}  // namespace

MediaFleet::MediaFleet() : root_(MakeTempDir("pipeline-e2e")) {
  library_ = root_ + "/library";
  out_ = root_ + "/out";
  fs::create_directories(library_);
  fs::create_directories(out_);
  const std::string listening = root_ + "/coordinator.out";
  coordinator_ = std::make_unique<Child>(
      std::vector<std::string>{Bin("server/mkv-coordinator"), "--listen", "127.0.0.1:0",
                               "--state-dir", root_ + "/state", "--library", library_,
                               "--output-dir", out_},
      listening);
  WaitFor("coordinator listening", [&] {
    std::ifstream in(listening);
    std::string line;
    while (std::getline(in, line)) {
      if (auto at = line.find("listening on "); at != std::string::npos) {
        address_ = line.substr(at + 13);
        return true;
      }
    }
    return false;
  });
  StartAgent();
}

MediaFleet::~MediaFleet() = default;

void MediaFleet::UseAgentConfig(const std::string& media_toml) {
  if (agent_ != nullptr && media_toml == agent_config_) return;
  StopAgent();
  agent_config_ = media_toml;
  StartAgent();
}

void MediaFleet::StopAgent() { agent_.reset(); }

namespace {
constexpr char kSetpriv[] = "/usr/bin/setpriv";
}  // namespace

bool MediaFleet::AgentHonoursPermissions() {
  return ::geteuid() != 0 || std::filesystem::exists(kSetpriv);
}

void MediaFleet::StartAgent() {
  ++agent_starts_;
  const std::string config = absl::StrCat(root_, "/agent-", agent_starts_, ".toml");
  std::ofstream(config) << "[media]\n" << agent_config_ << "\n";
  std::vector<std::string> argv;
  if (::geteuid() == 0 && std::filesystem::exists(kSetpriv)) {
    // As root, the agent (and the tools it runs) lose the capabilities that bypass file
    // permissions, as the unprivileged service user of a real install has none: a chmod 000
    // source is then unreadable to it. Files the tests make are root's, so nothing else changes.
    argv = {kSetpriv, "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search", "--"};
  }
  argv.insert(argv.end(), {Bin("agent/mkv-agent"), "--config", config, "--server", address_,
                           "--name", "a1", "--work-dir", work(), "--pipeline", "media",
                           "--claim-poll-ms", "200"});
  agent_ = std::make_unique<Child>(std::move(argv),
                                   absl::StrCat(root_, "/agent-", agent_starts_, ".out"));
}

json MediaFleet::Ctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {Bin("ctl/mkvctl"), "--server", address_, "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ToolJson(argv);
}

int64_t MediaFleet::Enqueue(const std::string& path, const std::string& plan,
                            const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"enqueue", path};
  if (!plan.empty()) args.insert(args.end(), {"--plan", plan});
  args.insert(args.end(), extra.begin(), extra.end());
  json r = Ctl(args);
  INFO(r.dump());
  REQUIRE(r.is_array());
  REQUIRE(r.size() == 1);
  REQUIRE(r[0]["outcome"] == "created");
  return r[0]["job_id"].get<int64_t>();
}

json MediaFleet::WaitDone(int64_t id) {
  json job;
  WaitFor(absl::StrCat("job ", id, " to finish"), [&] {
    job = Ctl({"show", absl::StrCat(id)});
    const std::string s = job["state"];
    return s == "completed" || s == "skipped" || s == "failed" || s == "failed_permanent" ||
           s == "cancelled";
  });
  return job;
}

std::string MediaFleet::Logs(int64_t id) {
  std::string text;
  for (const json& line : Ctl({"logs", absl::StrCat(id)})) {
    text += line["text"].get<std::string>() + "\n";
  }
  return text;
}

void MediaFleet::WaitFor(const std::string& what, const std::function<bool()>& pred) {
  const absl::Time end = absl::Now() + absl::Seconds(90);
  while (!pred()) {
    if (absl::Now() > end) FAIL("timed out waiting for " << what);
    absl::SleepFor(absl::Milliseconds(200));
  }
}

MediaFleet& Fleet() {
  // Destroyed at exit, which stops its agent and coordinator: a test run leaves no daemons.
  static MediaFleet fleet;
  return fleet;
}

bool NothingAt(const std::string& dest) {
  if (fs::exists(dest)) return false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(dest).parent_path(), ec)) {
    if (absl::StrContains(e.path().filename().string(), ".part")) return false;
  }
  return true;
}

void CheckOutput(const std::string& path, const ExpectedOutput& want) {
  INFO("output " << path);
  REQUIRE(fs::exists(path));

  // mkvmerge -J: the tracks with their languages, and the chapters.
  json mkv = ToolJson({"mkvmerge", "-J", path});
  std::vector<std::string> audio, subs;
  int videos = 0;
  for (const json& t : mkv["tracks"]) {
    if (t["type"] == "video") ++videos;
    if (t["type"] == "audio") audio.push_back(t["properties"]["language"]);
    if (t["type"] == "subtitles") subs.push_back(t["properties"]["language"]);
  }
  CHECK(videos == 1);
  CHECK(audio == want.audio_languages);
  CHECK(subs == want.subtitle_languages);
  REQUIRE(mkv["chapters"].size() == 1);
  CHECK(mkv["chapters"][0]["num_entries"] == want.chapters);

  // ffprobe: frames counted by reading every packet, the DV record, the colour signalling.
  json probe = ToolJson({"ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
                         "-show_streams", "-of", "json", path});
  REQUIRE(probe["streams"].size() == 1);
  const json& v = probe["streams"][0];
  CHECK(v["codec_name"] == "hevc");
  CHECK(v["nb_read_packets"] == absl::StrCat(want.frames));
  json dovi;
  for (const json& sd : v.value("side_data_list", json::array())) {
    if (sd["side_data_type"] == "DOVI configuration record") dovi = sd;
  }
  if (want.dolby_vision_81) {
    REQUIRE_FALSE(dovi.is_null());
    CHECK(dovi["dv_profile"] == 8);
    CHECK(dovi["dv_bl_signal_compatibility_id"] == 1);
    CHECK(dovi["rpu_present_flag"] == 1);
    CHECK(dovi["el_present_flag"] == 0);
    CHECK(dovi["bl_present_flag"] == 1);
  } else {
    CHECK(dovi.is_null());
  }
  CHECK(v["color_transfer"] == (want.hdr10 ? "smpte2084" : "bt709"));
  CHECK(v["color_primaries"] == (want.hdr10 ? "bt2020" : "bt709"));

  // mediainfo: its own reading of the DV and HDR10 signalling and of the frame count.
  json mi = ToolJson({"mediainfo", "--Output=JSON", path});
  int mi_videos = 0;
  for (const json& t : mi["media"]["track"]) {
    if (t["@type"] != "Video") continue;
    ++mi_videos;
    CHECK(t["FrameCount"] == absl::StrCat(want.frames));
    const std::string hdr = t.value("HDR_Format", "");
    const std::string profile = t.value("HDR_Format_Profile", "");
    INFO("mediainfo HDR_Format=" << hdr << " HDR_Format_Profile=" << profile);
    CHECK(absl::StrContains(profile, "dvhe.08") == want.dolby_vision_81);
    CHECK(absl::StrContains(profile, "dvhe.07") == false);
    CHECK(absl::StrContains(hdr, "SMPTE ST 2086") == want.hdr10);
  }
  CHECK(mi_videos == 1);
}

}  // namespace mkvfleet::testing
