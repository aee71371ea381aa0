// Real discs are messy, end to end through real coordinator, agent and mkvctl processes: a profile
// 7 title whose frames do not carry one RPU each (made by gen-sample's defects) fails at probe
// under rpu_mismatch = "fail", and under --repair-rpus becomes 8.1 (dv-convert and dv-reencode)
// with frame k carrying the RPU the repair rule gives, read back by ffprobe (which frames carry an
// RPU, their scene_refresh_flag) and by mkvextract + our RPU reader (whose metadata each frame
// carries). Timing: a source whose audio starts 1.5 s after its video, and
// one whose video starts at 0.5 s, keep every track's start and duration.
#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "catch2/catch.hpp"
#include "common/dovi/rpu.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/dovi/rpu_profile.h"
#include "common/samplegen/sample_generator.h"
#include "common/samplegen/sample_rpus.h"
#include "tests/media/pipeline/media_fleet.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using samplegen::SampleKind;
using testing::Fleet;
using testing::MediaFleet;
using testing::NothingAt;

// The defective title: 48 frames, scenes at 0 and 24; frames 0 (the title's first), 5 (middle),
// 25 (just inside the second scene), 46 and 47 (the end) lose their RPU; frame 10 carries two.
const std::vector<int> kDropped = {0, 5, 25, 46, 47};
constexpr int kDuplicated = 10;
constexpr int kFrames = 48;

const std::string& DefectiveSample() {
  static const std::string* path = [] {
    samplegen::SampleSpec spec;
    spec.kind = SampleKind::kP7Mel;
    spec.scene_every = 24;
    spec.drop_rpus = kDropped;
    spec.duplicate_rpus = {kDuplicated};
    auto* p = new std::string(testing::MakeTempDir("mkvfleet-defects") + "/defects.mkv");
    absl::Status s = samplegen::GenerateSample(spec, *p);
    INFO(s.ToString());
    REQUIRE(s.ok());
    return p;
  }();
  return *path;
}

std::string Bin(const std::string& rel) { return testing::BinaryDir() + "/" + rel; }

// What the repair rule gives frame k: the generated frame whose RPU it carries, and its
// scene_refresh_flag.
struct Expected {
  int from;
  int scene_refresh;
};
Expected RepairedFrame(int k) {
  if (k == 0) return {1, 1};    // no earlier RPU: the next frame's, a scene start
  if (k == 5) return {4, 0};    // the previous frame's
  if (k == 25) return {24, 0};  // the scene start's, flag cleared inside the scene
  if (k == 46 || k == 47) return {45, 0};
  return {k, k == 24 ? 1 : 0};
}

// What ffprobe (which decodes and shows frames in presentation order) says of each frame: whether
// it carries an RPU ("Dolby Vision RPU Data"), and the scene_refresh_flag of the Dolby Vision
// metadata it decodes (-1 without; ffmpeg keeps the last RPU's metadata on a frame without one).
struct FfprobeFrame {
  bool rpu = false;
  int scene_refresh = -1;
};
std::vector<FfprobeFrame> FfprobeFrames(const std::string& path) {
  json j = testing::ToolJson({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_frames",
                              "-show_entries", "frame=side_data_list", "-of", "json", path});
  std::vector<FfprobeFrame> frames;
  for (const json& f : j["frames"]) {
    FfprobeFrame frame;
    for (const json& sd : f.value("side_data_list", json::array())) {
      const std::string type = sd.value("side_data_type", "");
      if (type == "Dolby Vision RPU Data") frame.rpu = true;
      if (type == "Dolby Vision Metadata") frame.scene_refresh = sd.value("scene_refresh_flag", -2);
    }
    frames.push_back(frame);
  }
  return frames;
}

// The RPUs of a Matroska file's video in display order: mkvextract (not ours) pulls the HEVC
// stream out, our extractor splits it into RPUs.
std::vector<dovi::Rpu> ExtractedRpus(const std::string& mkv) {
  const std::string dir = testing::MakeTempDir("mkvfleet-rpus");
  testing::RunTool({"mkvextract", mkv, "tracks", "0:" + dir + "/video.hevc"});
  testing::RunTool(
      {Bin("ctl/mkvctl"), "dovi", "extract-rpu", dir + "/video.hevc", "-o", dir + "/rpus.bin"});
  const std::string bytes = testing::ReadFileOrFail(dir + "/rpus.bin");
  auto payloads = dovi::ParseRpuFile(
      absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  REQUIRE(payloads.ok());
  std::vector<dovi::Rpu> rpus;
  for (absl::Span<const uint8_t> p : *payloads) {
    auto rpu = dovi::ParseRpu(p);
    REQUIRE(rpu.ok());
    rpus.push_back(*std::move(rpu));
  }
  return rpus;
}

// Checks that frame k of `out` carries the RPU the rule gives, by both readers.
void CheckRepairedOutput(const std::string& out) {
  const std::vector<FfprobeFrame> frames = FfprobeFrames(out);
  REQUIRE(frames.size() == kFrames);
  const std::vector<dovi::Rpu> rpus = ExtractedRpus(out);
  REQUIRE(rpus.size() == kFrames);
  for (int k = 0; k < kFrames; ++k) {
    INFO("output frame " << k);
    const Expected e = RepairedFrame(k);
    CHECK(frames[k].rpu);
    CHECK(frames[k].scene_refresh == e.scene_refresh);
    const dovi::Rpu& rpu = rpus[static_cast<size_t>(k)];
    CHECK(dovi::DetectProfile(rpu.header) == 8);
    REQUIRE(rpu.vdr_dm_data.has_value());
    CHECK(rpu.vdr_dm_data->scene_refresh_flag == static_cast<uint64_t>(e.scene_refresh));
    const dovi::DmLevel1* l1 = rpu.vdr_dm_data->level1();
    REQUIRE(l1 != nullptr);
    const dovi::DmLevel1 want = samplegen::SampleLevel1(e.from);
    CHECK(l1->min_pq == want.min_pq);
    CHECK(l1->avg_pq == want.avg_pq);
    CHECK(l1->max_pq == want.max_pq);
  }
}

TEST_CASE("gen-sample's defects are what ffprobe and mkvctl dovi info see") {
  const std::vector<FfprobeFrame> frames = FfprobeFrames(DefectiveSample());
  REQUIRE(frames.size() == kFrames);
  for (int k = 0; k < kFrames; ++k) {
    INFO("source frame " << k);
    const bool dropped = std::count(kDropped.begin(), kDropped.end(), k) > 0;
    CHECK(frames[k].rpu == !dropped);
  }
  json info = testing::ToolJson({Bin("ctl/mkvctl"), "dovi", "info", "--json", DefectiveSample()});
  INFO(info.dump(1));
  CHECK(info["frames"] == kFrames);
  CHECK(info["rpus"] == kFrames - 5 + 1);
  CHECK(info["frames_without_rpu"]["count"] == 5);
  CHECK(info["frames_without_rpu"]["first"] == json(kDropped));
  CHECK(info["frames_with_several_rpus"]["first"] == json::array({kDuplicated}));
  const std::string text = testing::RunTool({Bin("ctl/mkvctl"), "dovi", "info", DefectiveSample()});
  CHECK(absl::StrContains(text, "frames:      48\n"));
  CHECK(absl::StrContains(text, "frames_without_rpu: 5 (0, 5, 25, 46, 47)\n"));
}

TEST_CASE("under rpu_mismatch = \"fail\" the title fails at probe, naming the frames") {
  MediaFleet& f = Fleet();
  f.UseAgentConfig("");  // the default policy
  const std::string src = f.library() + "/defects/fail.mkv";
  fs::create_directories(fs::path(src).parent_path());
  fs::copy_file(DefectiveSample(), src, fs::copy_options::overwrite_existing);
  const std::string sha = testing::Sha256OfFile(src);
  json job = f.WaitDone(f.Enqueue(src));
  INFO(job.dump(1));
  CHECK(job["state"] == "failed_permanent");
  CHECK(job["step"] == "probe");
  const std::string error = job["error"];
  CHECK(absl::StrContains(error, "probe: "));
  CHECK(absl::StrContains(
      error,
      "48 frames, 44 RPUs; frames without an RPU: 5 (display order: 0, 5, 25, 46, 47); "
      "frames with more than one: 1 (10)"));
  CHECK(absl::StrContains(error, "rpu_mismatch = \"fail\""));
  CHECK(absl::StrContains(error, "--repair-rpus"));
  for (const json& s : job["steps"]) {
    if (s["name"] == "probe") CHECK(s["state"] == "failed");
    if (s["name"] == "mux") CHECK(s["state"] == "pending");
  }
  CHECK_FALSE(absl::StrContains(f.Logs(job["id"]), "mux: "));  // nothing muxed
  CHECK(NothingAt(f.out() + "/defects/fail.mkv"));
  CHECK(testing::Sha256OfFile(src) == sha);
}

TEST_CASE("with --repair-rpus dv-convert completes; frame k carries the repaired RPU") {
  MediaFleet& f = Fleet();
  f.UseAgentConfig("");
  const std::string src = f.library() + "/defects/convert.mkv";
  fs::create_directories(fs::path(src).parent_path());
  fs::copy_file(DefectiveSample(), src, fs::copy_options::overwrite_existing);
  const int64_t id = f.Enqueue(src, "", {"--repair-rpus"});
  json job = f.WaitDone(id);
  INFO(job.dump(1));
  REQUIRE(job["state"] == "completed");
  CHECK(job["plan"] == "dv-convert");
  CHECK(job["repair_rpus"] == true);
  CHECK(job["rpus_repaired"] == 6);
  const std::string logs = f.Logs(id);
  INFO(logs);
  for (const char* line :
       {"probe: repair frame 0: no RPU, copy of frame 1's (scene_refresh_flag 1)",
        "probe: repair frame 5: no RPU, copy of frame 4's (scene_refresh_flag 0)",
        "probe: repair frame 10: 2 RPUs, kept the first",
        "probe: repair frame 25: no RPU, copy of frame 24's (scene_refresh_flag 0)",
        "probe: repair frame 46: no RPU, copy of frame 45's (scene_refresh_flag 0)",
        "probe: repair frame 47: no RPU, copy of frame 46's (scene_refresh_flag 0)",
        "mux: 5 frames got a repaired RPU", "verify rpu_per_frame: ok"}) {
    CHECK(absl::StrContains(logs, line));
  }
  CheckRepairedOutput(job["output"]);
  const std::string shown =
      testing::RunTool({Bin("ctl/mkvctl"), "--server", f.address(), "show", absl::StrCat(id)});
  CHECK(absl::StrContains(shown, "6 frames repaired"));
}

TEST_CASE("under rpu_mismatch = \"repair\" dv-reencode carries the repaired RPUs too") {
  MediaFleet& f = Fleet();
  f.UseAgentConfig(R"(rpu_mismatch = "repair"
ssim_floor = 0.9
[media.x265.default]
preset = "ultrafast"
crf = 20
)");
  const std::string src = f.library() + "/defects/reencode.mkv";
  fs::create_directories(fs::path(src).parent_path());
  fs::copy_file(DefectiveSample(), src, fs::copy_options::overwrite_existing);
  json job = f.WaitDone(f.Enqueue(src, "dv-reencode"));
  INFO(job.dump(1));
  INFO(f.Logs(job["id"]));
  REQUIRE(job["state"] == "completed");
  CHECK(job["repair_rpus"] == false);
  CHECK(job["rpus_repaired"] == 6);
  CheckRepairedOutput(job["output"]);
  f.UseAgentConfig("");
}

// mkvmerge's own first timestamp of each track (ns), in track order.
std::vector<int64_t> TrackStarts(const std::string& path) {
  std::vector<int64_t> starts;
  const json identified = testing::ToolJson({"mkvmerge", "-J", path});
  for (const json& t : identified["tracks"]) {
    starts.push_back(t["properties"].value("minimum_timestamp", int64_t{-1}));
  }
  return starts;
}

TEST_CASE("timing: delayed audio and a video that starts late keep their starts exactly") {
  MediaFleet& f = Fleet();
  f.UseAgentConfig("");
  struct Case {
    std::string name, sync;
    size_t track;
    int64_t start_ns;
  };
  for (const Case& c : {Case{"audio-late.mkv", "1:1500", 1, 1'500'000'000},
                        Case{"video-late.mkv", "0:500", 0, 500'000'000}}) {
    INFO(c.name);
    const std::string src = f.library() + "/timing/" + c.name;
    fs::create_directories(fs::path(src).parent_path());
    testing::RunTool(
        {"mkvmerge", "-q", "-o", src, "--sync", c.sync, testing::Sample(SampleKind::kP7Mel)});
    const std::vector<int64_t> starts = TrackStarts(src);
    REQUIRE(starts.size() > c.track);
    CHECK(starts[c.track] >= c.start_ns);  // the source really is shifted
    const int64_t id = f.Enqueue(src);
    json job = f.WaitDone(id);
    INFO(job.dump(1));
    REQUIRE(job["state"] == "completed");
    CHECK(absl::StrContains(f.Logs(id), "verify timing: ok"));
    CHECK(TrackStarts(job["output"]) == starts);
  }
}

}  // namespace
}  // namespace mkvfleet
