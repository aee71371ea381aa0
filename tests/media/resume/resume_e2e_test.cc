// Resume through real processes: mkv-coordinator, mkv-agent (media pipeline: dv-reencode,
// dv-convert) and mkvctl. The agent is SIGKILLed at a point the test controls exactly (no sleeps as
// synchronisation): during the encode, by an x265 wrapper that announces itself and waits for a
// go file; during the mux, by the agent's MKVFLEET_TEST_PAUSE_DIR hook halfway through the
// remux (checkpoint_encoded_video = true, where mux is a real pass), and for dv-convert after
// the direct rewrite's first cluster. After a restart the job
// must complete without redoing the steps that were done (their started/finished times in
// `mkvctl --json show` unchanged), leave no per-job work dir or part file behind, and give an
// output equal in content (frames, DV 8.1, RPUs, tracks, chapters) to an uninterrupted run.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "catch2/catch.hpp"
#include "tests/integration/backbone/fleet_harness.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace {

namespace fs = std::filesystem;
using ::mkvfleet::samplegen::SampleKind;
using nlohmann::json;

std::string Bin(const std::string& rel) { return BinaryDir() + "/" + rel; }

// x265 that, for an encode (not `--version`), waits for DIR/encode.go before exec'ing the real
// x265; DIR/encode.reached says it is waiting. It gives up when its parent (the agent) is gone.
std::string WriteX265Wrapper(const std::string& dir) {
  const std::string path = dir + "/x265-wrapper.sh";
  std::ofstream(path) << "#!/bin/sh\n"
                      << "D='" << dir << "'\n"
                      << "case \" $* \" in *' --input '*)\n"
                      << "  if [ ! -e \"$D/encode.go\" ]; then\n"
                      << "    touch \"$D/encode.reached\"\n"
                      << "    while [ ! -e \"$D/encode.go\" ]; do\n"
                      << "      kill -0 $PPID 2>/dev/null || exit 1\n"
                      << "      sleep 0.05\n"
                      << "    done\n"
                      << "  fi;;\n"
                      << "esac\n"
                      << "exec x265 \"$@\"\n";
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  return path;
}

std::string WriteAgentConfig(const std::string& dir, const std::string& x265,
                             bool checkpoint_encoded_video) {
  const std::string path = dir + "/agent.toml";
  std::ofstream(path) << "[tools]\nx265 = \"" << x265 << "\"\n"
                      << "[media]\nssim_floor = 0.9\ncheckpoint_encoded_video = "
                      << (checkpoint_encoded_video ? "true" : "false") << "\n"
                      << "[media.x265.default]\npreset = \"ultrafast\"\ncrf = 20\n";
  return path;
}

class ResumeFleet {
 public:
  explicit ResumeFleet(bool checkpoint_encoded_video)
      : fleet_(Fleet::Options{}),  // 2 s leases, 1 s heartbeats
        dir_(MakeTempDir("resume-e2e")),
        config_(WriteAgentConfig(dir_, WriteX265Wrapper(dir_), checkpoint_encoded_video)) {
    fleet_.StartCoordinator();
  }

  Fleet& fleet() { return fleet_; }
  const std::string& dir() const { return dir_; }
  std::string work() const { return dir_ + "/work"; }

  void StartAgent() {
    agent_.reset();
    agent_ = std::make_unique<Daemon>(
        "mkv-agent a1",
        std::vector<std::string>{Bin("agent/mkv-agent"), "--server", fleet_.address(), "--name",
                                 "a1", "--work-dir", work(), "--pipeline", "media", "--config",
                                 config_, "--claim-poll-ms", "200"},
        std::vector<std::string>{"MKVFLEET_TEST_PAUSE_DIR=" + dir_});
  }
  void KillAgent() {
    agent_->Signal(SIGKILL);
    REQUIRE(agent_->WaitExit(absl::Seconds(10)) != -1);
  }

  int64_t Enqueue(const std::string& path, const std::string& plan = "dv-reencode") {
    CtlResult r = fleet_.Ctl({"--json", "enqueue", path, "--plan", plan});
    json j = r.Json();
    INFO(j.dump());
    REQUIRE(j.size() == 1);
    REQUIRE(j[0]["outcome"] == "created");
    return j[0]["job_id"].get<int64_t>();
  }

  json WaitCompleted(int64_t id) {
    json job;
    fleet_.WaitFor(
        absl::StrCat("job ", id, " to end"),
        [&] {
          job = fleet_.Show(id);
          const std::string s = job["state"];
          return s == "completed" || s == "failed_permanent" || s == "skipped";
        },
        absl::Seconds(120));
    INFO(job.dump(1) << "\n" << json(fleet_.LogTexts(id)).dump(1) << "\n" << agent_->Output());
    REQUIRE(job["state"] == "completed");
    return job;
  }

  void WaitForFile(const std::string& path) {
    fleet_.WaitFor(path, [&] { return fs::exists(path); }, absl::Seconds(90));
  }

 private:
  Fleet fleet_;
  std::string dir_, config_;
  std::unique_ptr<Daemon> agent_;
};

const json& StepOf(const json& job, const std::string& name) {
  for (const json& s : job["steps"]) {
    if (s["name"] == name) return s;
  }
  FAIL("job has no step " << name << ": " << job.dump());
  static const json none;
  return none;
}

// What an independent look at an output finds: frames, DV record, RPUs, tracks, chapters.
json ContentOf(const std::string& file) {
  json c;
  json frames = ToolJson({"ffprobe", "-v", "error", "-of", "json", "-count_frames", "-show_entries",
                          "stream=nb_read_frames,codec_name,width,height,pix_fmt",
                          "-select_streams", "v:0", file});
  c["video"] = frames["streams"][0];
  json streams = ToolJson({"ffprobe", "-v", "error", "-of", "json", "-show_streams",
                           "-select_streams", "v:0", file});
  for (const json& sd : streams["streams"][0].value("side_data_list", json::array())) {
    if (sd.value("side_data_type", "") == "DOVI configuration record") {
      c["dovi"] = {sd["dv_profile"], sd["dv_bl_signal_compatibility_id"], sd["el_present_flag"],
                   sd["rpu_present_flag"]};
    }
  }
  json info = ToolJson({Bin("ctl/mkvctl"), "dovi", "info", "--json", file});
  c["rpus"] = {info["profile"], info["rpus"]};
  json mj = ToolJson({"mkvmerge", "-J", file});
  for (const json& t : mj["tracks"]) {
    const json& p = t["properties"];
    c["tracks"].push_back({t["type"], t["codec"], p.value("language", ""),
                           p.value("track_name", ""), p.value("default_track", false),
                           p.value("forced_track", false)});
  }
  c["chapters"] = mj["chapters"];
  return c;
}

bool NoPartFiles(const std::string& folder) {
  for (const auto& e : fs::directory_iterator(folder)) {
    if (absl::StrContains(e.path().filename().string(), ".part")) return false;
  }
  return true;
}

bool JobDirsEmpty(const std::string& work) {
  const fs::path jobs = fs::path(work) / "jobs";
  return !fs::exists(jobs) || fs::is_empty(jobs);
}

// Runs `name` (a copy of the P7 sample) uninterrupted and returns its output's content.
std::string UninterruptedOutput(ResumeFleet& rf, const std::string& name,
                                const std::string& plan = "dv-reencode") {
  const std::string source = rf.fleet().library() + "/" + name;
  CopySample(SampleKind::kP7Mel, source);
  const int64_t id = rf.Enqueue(source, plan);
  json job = rf.WaitCompleted(id);
  return job["output"].get<std::string>();
}
json UninterruptedContent(ResumeFleet& rf, const std::string& name) {
  return ContentOf(UninterruptedOutput(rf, name));
}

// A mux killed at the pause `point`: the agent runs `source` under `plan` until the mux holds
// there (the earlier steps done, a part file half-written), is SIGKILLed, and a new agent
// completes the job. Checks that only the mux ran again; returns the job's log texts and output.
struct ResumedMux {
  std::vector<std::string> logs;
  std::string output;
};
ResumedMux KillDuringMuxAndResume(ResumeFleet& rf, const std::string& source,
                                  const std::string& plan, const std::string& point) {
  std::ofstream(rf.dir() + "/pause-" + point) << "hold\n";
  rf.StartAgent();
  const int64_t id = rf.Enqueue(source, plan);
  rf.WaitForFile(rf.dir() + "/" + point + ".reached");
  const json before = rf.fleet().Show(id);
  CHECK(StepOf(before, "mux")["state"] == "running");
  for (const char* done : {"probe", "plan", "rpu", "encode"}) {
    CHECK(StepOf(before, done)["state"] == "done");
  }
  CHECK_FALSE(NoPartFiles(rf.fleet().library()));  // a half-written part file
  rf.KillAgent();
  fs::remove(rf.dir() + "/pause-" + point);
  rf.StartAgent();
  const json after = rf.WaitCompleted(id);

  for (const char* step : {"probe", "plan", "rpu", "encode"}) {
    INFO(step);
    CHECK(StepOf(after, step)["started"] == StepOf(before, step)["started"]);
    CHECK(StepOf(after, step)["finished"] == StepOf(before, step)["finished"]);
  }
  CHECK(StepOf(after, "mux")["started"] != StepOf(before, "mux")["started"]);
  CHECK(JobDirsEmpty(rf.work()));
  CHECK(NoPartFiles(rf.fleet().library()));
  return {rf.fleet().LogTexts(id), after["output"].get<std::string>()};
}

TEST_CASE("an agent killed during the encode resumes at the encode; output as uninterrupted") {
  ResumeFleet rf(/*checkpoint_encoded_video=*/false);
  const std::string source = rf.fleet().library() + "/film.mkv";
  CopySample(SampleKind::kP7Mel, source);
  rf.StartAgent();
  const int64_t id = rf.Enqueue(source);
  rf.WaitForFile(rf.dir() + "/encode.reached");  // x265 started and is held
  const json before = rf.fleet().Show(id);
  CHECK(StepOf(before, "encode")["state"] == "running");
  for (const char* done : {"probe", "plan", "rpu"}) CHECK(StepOf(before, done)["state"] == "done");
  rf.KillAgent();
  CHECK_FALSE(JobDirsEmpty(rf.work()));  // the killed agent left its job folder (the RPUs)
  std::ofstream(rf.dir() + "/encode.go") << "go\n";
  rf.StartAgent();
  const json after = rf.WaitCompleted(id);

  for (const char* step : {"probe", "plan", "rpu"}) {
    INFO(step);
    CHECK(StepOf(after, step)["started"] == StepOf(before, step)["started"]);
    CHECK(StepOf(after, step)["finished"] == StepOf(before, step)["finished"]);
  }
  CHECK(StepOf(after, "encode")["started"] != StepOf(before, "encode")["started"]);
  const std::vector<std::string> logs = rf.fleet().LogTexts(id);
  INFO(json(logs).dump(1));
  CHECK(CountContaining(logs, "encode: 48 frames") == 2);  // the killed one and the rerun
  CHECK(CountContaining(logs, "nothing to do: the encode step muxed") == 1);
  CHECK(JobDirsEmpty(rf.work()));
  CHECK(NoPartFiles(rf.fleet().library()));

  const json resumed = ContentOf(after["output"].get<std::string>());
  CHECK(resumed["video"]["nb_read_frames"] == "48");
  CHECK(resumed["dovi"] == json({8, 1, 0, 1}));
  CHECK(resumed == UninterruptedContent(rf, "film2.mkv"));
}

TEST_CASE("an agent killed during the mux resumes at the mux without re-encoding") {
  ResumeFleet rf(/*checkpoint_encoded_video=*/true);
  std::ofstream(rf.dir() + "/encode.go") << "go\n";  // the x265 wrapper does not hold here
  const std::string source = rf.fleet().library() + "/film.mkv";
  CopySample(SampleKind::kP7Mel, source);
  // Held halfway through the remux of the checkpointed x265 stream.
  const ResumedMux run = KillDuringMuxAndResume(rf, source, "dv-reencode", "mux-half");
  INFO(json(run.logs).dump(1));
  CHECK(CountContaining(run.logs, "encode: 48 frames") == 1);  // x265 ran once

  const json resumed = ContentOf(run.output);
  CHECK(resumed["video"]["nb_read_frames"] == "48");
  CHECK(resumed["dovi"] == json({8, 1, 0, 1}));
  CHECK(resumed == UninterruptedContent(rf, "film2.mkv"));
}

TEST_CASE("dv-convert killed during its direct-rewrite mux redoes the mux; same bytes") {
  ResumeFleet rf(/*checkpoint_encoded_video=*/false);
  const std::string source = rf.fleet().library() + "/film.mkv";
  CopySample(SampleKind::kP7Mel, source);
  const std::string source_sha = Sha256OfFile(source);
  // Held after the rewrite's first cluster.
  const ResumedMux run = KillDuringMuxAndResume(rf, source, "dv-convert", "convert-mux");
  INFO(json(run.logs).dump(1));
  CHECK(CountContaining(run.logs, "(direct rewrite: drop EL") == 2);  // killed one and rerun
  CHECK(Sha256OfFile(source) == source_sha);

  // The rewrite is deterministic: the rerun wrote exactly what an uninterrupted run writes.
  CHECK(ContentOf(run.output)["dovi"] == json({8, 1, 0, 1}));
  CHECK(Sha256OfFile(run.output) ==
        Sha256OfFile(UninterruptedOutput(rf, "film2.mkv", "dv-convert")));
}

}  // namespace
}  // namespace mkvfleet::testing
