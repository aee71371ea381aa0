// dv-reencode and standard end to end in-process: the media pipeline with the re-encode plans,
// each step run as the StepRunner would (earlier steps' checkpoints handed to later ones) over
// tiny generated films, outputs judged by independent tools.
#include <filesystem>

#include "absl/strings/match.h"
#include "agent/encode/reencode_steps.h"
#include "agent/media/media_pipeline.h"
#include "catch2/catch.hpp"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet::agent::encode {
namespace {

namespace fs = std::filesystem;
using ::mkvfleet::samplegen::SampleKind;
using nlohmann::json;

// What a run left: the steps' records, the job log and progress reports.
struct Run {
  std::vector<StepRecord> steps;
  std::vector<std::string> log;
  std::map<std::string, Progress> last_progress;  // by step
  absl::Status status;
  StepResult::Outcome outcome = StepResult::Outcome::kContinue;
  std::string output;
};

// Runs every step of the pipeline for `source` like the StepRunner: stops at the first error or
// skip. `override_plan` as an admin would set it.
Run RunPipeline(const std::string& source, const std::string& root,
                const media::MediaSettings& settings, const std::string& override_plan,
                bool checkpoint_encoded_video = false) {
  ReencodeOptions options;
  options.checkpoint_encoded_video = checkpoint_encoded_video;
  options.profile.preset = "ultrafast";
  options.profile.crf = 20;
  std::unique_ptr<Pipeline> pipeline = media::MakeMediaPipeline(
      settings,
      MakeReencodePlans(std::make_shared<const media::MediaSettings>(settings), options));
  Task task;
  task.job_id = 7;
  task.source_path = source;
  task.plan_override = override_plan;
  const std::string work = root + "/work";
  fs::create_directories(work);
  std::atomic<bool> cancel{false};
  Run run;
  for (const std::unique_ptr<Step>& step : pipeline->steps()) {
    const std::string name = step->name();
    StepContext::Hooks hooks;
    hooks.report_progress = [&run, name](const Progress& p) { run.last_progress[name] = p; };
    hooks.log = [&run, name](LogLevel, const std::string& text) {
      run.log.push_back(name + ": " + text);
    };
    StepContext ctx(task, "a1", source, work, nullptr, run.steps, &cancel, hooks);
    absl::StatusOr<StepResult> r = step->Run(ctx);
    if (!r.ok()) {
      run.status = r.status();
      return run;
    }
    StepRecord rec;
    rec.index = static_cast<int>(run.steps.size());
    rec.name = name;
    rec.status = StepStatus::kDone;
    rec.checkpoint = r->checkpoint;
    rec.agent = "a1";
    run.steps.push_back(rec);
    run.outcome = r->outcome;
    if (r->outcome != StepResult::Outcome::kContinue) {
      run.output = r->output_path;
      return run;
    }
  }
  return run;
}

std::string Fact(const Run& run, const std::string& step, const std::string& fact) {
  for (const StepRecord& r : run.steps) {
    if (r.name != step) continue;
    auto it = r.checkpoint.facts.find(fact);
    if (it != r.checkpoint.facts.end()) return it->second;
  }
  return "";
}

std::string JoinedLog(const Run& run) {
  std::string all;
  for (const std::string& l : run.log) all += l + "\n";
  return all;
}

media::MediaSettings TestSettings() {
  media::MediaSettings s;
  s.ssim_floor = 0.90;
  return s;
}

json VideoStream(const std::string& file) {
  json j = testing::ToolJson({"ffprobe", "-v", "error", "-print_format", "json", "-show_streams",
                              "-select_streams", "v:0", file});
  REQUIRE(j["streams"].size() == 1);
  return j["streams"][0];
}

int64_t CountFrames(const std::string& file) {
  json j = testing::ToolJson({"ffprobe", "-v", "error", "-print_format", "json", "-count_frames",
                              "-show_entries", "stream=nb_read_frames", "-select_streams", "v:0",
                              file});
  return std::stoll(j["streams"][0]["nb_read_frames"].get<std::string>());
}

// Presentation times of the video in display order, and whether they were stored in order.
std::vector<int64_t> PacketPtsInFileOrder(const std::string& file) {
  json j = testing::ToolJson({"ffprobe", "-v", "error", "-print_format", "json", "-show_entries",
                              "packet=pts", "-select_streams", "v:0", file});
  std::vector<int64_t> pts;
  for (const json& p : j["packets"]) pts.push_back(p["pts"].get<int64_t>());
  return pts;
}

json SideData(const json& stream, const std::string& type) {
  if (stream.contains("side_data_list")) {
    for (const json& sd : stream["side_data_list"]) {
      if (sd.value("side_data_type", "") == type) return sd;
    }
  }
  return json();
}

// First-frame side data of the video (HDR10 SEIs).
json FirstFrameSideData(const std::string& file, const std::string& type) {
  json j = testing::ToolJson({"ffprobe", "-v", "error", "-print_format", "json", "-read_intervals",
                              "%+#1", "-show_frames", "-show_entries", "frame=side_data_list",
                              "-select_streams", "v:0", file});
  REQUIRE(j["frames"].size() >= 1);
  return SideData(j["frames"][0], type);
}

// Non-video tracks and chapters as mkvmerge -J reports them, for comparison.
json TracksAndChapters(const std::string& file) {
  json j = testing::ToolJson({"mkvmerge", "-J", file});
  json out = json::array();
  for (const json& t : j["tracks"]) {
    if (t["type"] == "video") continue;
    const json& p = t["properties"];
    out.push_back({t["type"], t["codec"], p.value("language", ""), p.value("track_name", ""),
                   p.value("default_track", false), p.value("forced_track", false)});
  }
  out.push_back({"chapters", j["chapters"].size() ? j["chapters"][0]["num_entries"] : json(0)});
  return out;
}

json DoviInfo(const std::string& file) {
  return testing::ToolJson({testing::BinaryDir() + "/ctl/mkvctl", "dovi", "info", "--json", file});
}

// Decoded frames' presentation times and durations, in display order.
std::vector<std::pair<int64_t, int64_t>> FrameTimes(const std::string& file) {
  json j = testing::ToolJson({"ffprobe", "-v", "error", "-print_format", "json", "-show_entries",
                              "frame=pts,duration", "-select_streams", "v:0", file});
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const json& f : j["frames"]) {
    out.emplace_back(f["pts"].get<int64_t>(), f.value("duration", int64_t{-1}));
  }
  return out;
}

// Checks shared by every re-encode: frames, timestamps, tracks, chapters, size, source intact.
void CheckReencoded(const std::string& source, const std::string& output, const Run& run) {
  CHECK(CountFrames(output) == CountFrames(source));
  // Same presentation times as the source (sorted: storage order is decode order).
  std::vector<int64_t> src_pts = PacketPtsInFileOrder(source);
  std::vector<int64_t> out_pts = PacketPtsInFileOrder(output);
  std::sort(src_pts.begin(), src_pts.end());
  std::sort(out_pts.begin(), out_pts.end());
  CHECK(out_pts == src_pts);
  // Decoding shows the frames at the source's times, strictly in order, with its durations.
  const auto frames = FrameTimes(output);
  CHECK(frames == FrameTimes(source));
  for (size_t i = 1; i < frames.size(); ++i) CHECK(frames[i].first > frames[i - 1].first);
  CHECK(TracksAndChapters(output) == TracksAndChapters(source));
  const json v = VideoStream(output);
  CHECK(v["width"] == VideoStream(source)["width"]);
  CHECK(v["codec_name"] == "hevc");
  // Really re-encoded: x265's settings SEI says our preset, not the sample generator's alone.
  const std::string ssim = Fact(run, "verify", kFactSsim);
  REQUIRE_FALSE(ssim.empty());
  CHECK(std::stod(ssim) >= 0.90);
  CHECK(std::stod(ssim) < 1.0);
  CHECK(Fact(run, "mux", media::kFactSourceFrames) == std::to_string(CountFrames(source)));
  // The encode reported progress with the source's frame count as the total.
  REQUIRE(run.last_progress.contains("encode"));
  CHECK(run.last_progress.at("encode").frames_total == CountFrames(source));
  CHECK(run.last_progress.at("encode").frames_done == CountFrames(source));
  // The command lines and exit codes are in the job log.
  const std::string log = JoinedLog(run);
  CHECK(absl::StrContains(log, "encode: x265: "));
  CHECK(absl::StrContains(log, "-> exit 0"));
}

TEST_CASE("P7 MEL with plan override dv-reencode becomes DV 8.1 on a re-encoded base layer") {
  const std::string root = testing::MakeTempDir("reencode-p7");
  const std::string source = root + "/lib/film.mkv";
  testing::CopySample(SampleKind::kP7Mel, source);
  const std::string before = testing::Sha256OfFile(source);
  Run run = RunPipeline(source, root, TestSettings(), "dv-reencode");
  INFO(run.status.ToString() << "\n" << JoinedLog(run));
  REQUIRE(run.status.ok());
  REQUIRE(run.outcome == StepResult::Outcome::kCompleted);
  CHECK(Fact(run, "plan", "plan") == "dv-reencode");
  const std::string output = root + "/lib/film.DV81.mkv";
  CHECK(run.output == output);
  REQUIRE(fs::exists(output));
  CHECK(testing::Sha256OfFile(source) == before);
  CHECK(Fact(run, "rpu", kFactRpuCount) == "48");
  CheckReencoded(source, output, run);
  // One streamed pass: x265's output went straight into the remux; the mux step says so and no
  // encoded stream was written to the work dir.
  CHECK(absl::StrContains(Fact(run, "mux", "note"), "nothing to do: the encode step muxed"));
  CHECK_FALSE(fs::exists(root + "/work/encoded.hevc"));
  CHECK(Fact(run, "encode", media::kFactBytesWritten) == std::to_string(fs::file_size(output)));

  // ffprobe: DV configuration record profile 8, compatibility 1, no EL.
  const json dv = SideData(VideoStream(output), "DOVI configuration record");
  REQUIRE_FALSE(dv.is_null());
  CHECK(dv["dv_profile"] == 8);
  CHECK(dv["dv_bl_signal_compatibility_id"] == 1);
  CHECK(dv["el_present_flag"] == 0);
  CHECK(dv["rpu_present_flag"] == 1);
  // mkvmerge agrees on the codec and the track's properties.
  const json mj = testing::ToolJson({"mkvmerge", "-J", output});
  CHECK(mj["tracks"][0]["codec"] == "HEVC/H.265/MPEG-H");
  // mediainfo: Dolby Vision dvhe.08 with HDR10 compatibility.
  const std::string mi = testing::RunTool({"mediainfo", output});
  CHECK(absl::StrContains(mi, "dvhe.08"));
  CHECK(absl::StrContains(mi, "SMPTE ST 2086"));
  // One RPU per frame, all profile 8 (our reader, independently of the verify step's scan).
  const json info = DoviInfo(output);
  CHECK(info["profile"] == 8);
  CHECK(info["rpus"] == CountFrames(output));
  CHECK((info["el_type"].is_null() || info["el_type"] == ""));  // no EL described
  // HDR10 static metadata re-written by x265 from the probe.
  const json md = FirstFrameSideData(output, "Mastering display metadata");
  REQUIRE_FALSE(md.is_null());
  CHECK(md["red_x"] == "34000/50000");
  CHECK(md["max_luminance"] == "10000000/10000");
  const json cll = FirstFrameSideData(output, "Content light level metadata");
  REQUIRE_FALSE(cll.is_null());
  CHECK(cll["max_content"] == 1000);
  CHECK(cll["max_average"] == 400);
  // Nothing left beside the destination but the output.
  int files = 0;
  for (const auto& e : fs::directory_iterator(root + "/lib")) files += e.is_regular_file();
  CHECK(files == 2);
}

TEST_CASE("with checkpoint_encoded_video the mux step muxes x265's file into the same output") {
  const std::string root = testing::MakeTempDir("reencode-p7-checkpoint");
  const std::string source = root + "/lib/film.mkv";
  testing::CopySample(SampleKind::kP7Mel, source);
  Run run = RunPipeline(source, root, TestSettings(), "dv-reencode",
                        /*checkpoint_encoded_video=*/true);
  INFO(run.status.ToString() << "\n" << JoinedLog(run));
  REQUIRE(run.status.ok());
  const std::string output = root + "/lib/film.DV81.mkv";
  REQUIRE(fs::exists(output));
  CheckReencoded(source, output, run);
  CHECK(Fact(run, "mux", "note").empty());
  CHECK(fs::exists(root + "/work/encoded.hevc"));  // the checkpoint the mux read
  CHECK(Fact(run, "mux", media::kFactBytesWritten) == std::to_string(fs::file_size(output)));
  const json dv = SideData(VideoStream(output), "DOVI configuration record");
  REQUIRE_FALSE(dv.is_null());
  CHECK(dv["dv_profile"] == 8);
  CHECK(DoviInfo(output)["rpus"] == CountFrames(output));
}

TEST_CASE("P7 FEL under fel_policy reencode is re-encoded to profile 8") {
  const std::string root = testing::MakeTempDir("reencode-fel");
  const std::string source = root + "/lib/fel.mkv";
  testing::CopySample(SampleKind::kP7Fel, source);
  media::MediaSettings settings = TestSettings();
  settings.plan.fel = media::FelPolicy::kReencode;
  Run run = RunPipeline(source, root, settings, "");
  INFO(run.status.ToString() << "\n" << JoinedLog(run));
  REQUIRE(run.status.ok());
  CHECK(Fact(run, "plan", "plan") == "dv-reencode");
  const std::string output = root + "/lib/fel.DV81.mkv";
  REQUIRE(fs::exists(output));
  CheckReencoded(source, output, run);
  CHECK(SideData(VideoStream(output), "DOVI configuration record")["dv_profile"] == 8);
  const json info = DoviInfo(output);
  CHECK(info["profile"] == 8);
  CHECK(info["rpus"] == CountFrames(output));
}

TEST_CASE("HDR10 standard re-encode keeps the HDR10 metadata and adds no Dolby Vision") {
  const std::string root = testing::MakeTempDir("reencode-hdr10");
  const std::string source = root + "/lib/hdr.mkv";
  testing::CopySample(SampleKind::kHdr10, source);
  media::MediaSettings settings = TestSettings();
  settings.plan.standard = media::StandardPolicy::kReencode;
  Run run = RunPipeline(source, root, settings, "");
  INFO(run.status.ToString() << "\n" << JoinedLog(run));
  REQUIRE(run.status.ok());
  CHECK(Fact(run, "plan", "plan") == "standard");
  const std::string output = root + "/lib/hdr.DV81.mkv";
  REQUIRE(fs::exists(output));
  CheckReencoded(source, output, run);
  const json v = VideoStream(output);
  CHECK(SideData(v, "DOVI configuration record").is_null());
  CHECK(v["color_transfer"] == "smpte2084");
  CHECK(v["color_primaries"] == "bt2020");
  CHECK(v["pix_fmt"] == "yuv420p10le");
  CHECK_FALSE(FirstFrameSideData(output, "Mastering display metadata").is_null());
  CHECK(FirstFrameSideData(output, "Content light level metadata")["max_content"] == 1000);
  CHECK_FALSE(absl::StrContains(testing::RunTool({"mediainfo", output}), "Dolby Vision"));
}

TEST_CASE("SDR standard re-encode stays BT.709 at the source's depth") {
  const std::string root = testing::MakeTempDir("reencode-sdr");
  const std::string source = root + "/lib/sdr.mkv";
  testing::CopySample(SampleKind::kSdr, source);
  Run run = RunPipeline(source, root, TestSettings(), "standard");
  INFO(run.status.ToString() << "\n" << JoinedLog(run));
  REQUIRE(run.status.ok());
  const std::string output = root + "/lib/sdr.DV81.mkv";
  REQUIRE(fs::exists(output));
  CheckReencoded(source, output, run);
  const json v = VideoStream(output);
  CHECK(v["pix_fmt"] == VideoStream(source)["pix_fmt"]);
  CHECK(v["color_primaries"] == "bt709");
  CHECK(SideData(v, "DOVI configuration record").is_null());
  CHECK(FirstFrameSideData(output, "Mastering display metadata").is_null());
}

TEST_CASE("an SSIM floor above what the encode reaches fails the job and leaves nothing") {
  const std::string root = testing::MakeTempDir("reencode-floor");
  const std::string source = root + "/lib/sdr.mkv";
  testing::CopySample(SampleKind::kSdr, source);
  media::MediaSettings settings = TestSettings();
  settings.ssim_floor = 0.99999;
  Run run = RunPipeline(source, root, settings, "standard");
  CHECK(run.status.code() == absl::StatusCode::kDataLoss);
  CHECK(absl::StrContains(run.status.message(), "SSIM"));
  int files = 0;
  for (const auto& e : fs::directory_iterator(root + "/lib")) files += e.is_regular_file();
  CHECK(files == 1);  // the source only: no part file, no output
}

}  // namespace
}  // namespace mkvfleet::agent::encode
