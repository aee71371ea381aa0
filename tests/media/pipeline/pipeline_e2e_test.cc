// End to end through real processes: mkv-coordinator (with --output-dir), one mkv-agent running
// the media pipeline, mkvctl for every observation. Outputs are judged by mkvmerge -J, ffprobe,
// mediainfo and mkvctl dovi info; bad inputs must end failed or skipped with a reason, leave
// nothing at the destination and the source byte-identical; per-job temp folders go away.
// (The plans and policies: pipeline_plans_e2e_test.cc.)
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "catch2/catch.hpp"
#include "tests/media/pipeline/media_fleet.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet {
namespace {

namespace fs = std::filesystem;
using samplegen::SampleKind;
using nlohmann::json;
using testing::Fleet;
using testing::MediaFleet;
using testing::NothingAt;

std::string Bin(const std::string& rel) { return testing::BinaryDir() + "/" + rel; }

// The job folders under the agent's work dir.
std::vector<std::string> JobFolders(const MediaFleet& f) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(f.work() + "/jobs", ec)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_CASE("P7 MEL becomes 8.1 by dv-convert, judged by independent tools") {
  MediaFleet& f = Fleet();
  const std::string src = f.library() + "/Films/mel.mkv";
  testing::CopySample(SampleKind::kP7Mel, src);
  const std::string sha = testing::Sha256OfFile(src);
  const int64_t id = f.Enqueue(src);
  json job = f.WaitDone(id);
  INFO(job.dump(1));
  REQUIRE(job["state"] == "completed");
  CHECK(job["plan"] == "dv-convert");
  const std::string out = job["output"];
  CHECK(out == f.out() + "/Films/mel.mkv");
  REQUIRE(fs::exists(out));
  CHECK(testing::Sha256OfFile(src) == sha);
  std::vector<std::string> steps;
  for (const json& s : job["steps"]) steps.push_back(s["name"]);
  CHECK(steps == std::vector<std::string>{"probe", "plan", "rpu", "encode", "mux", "verify",
                                          "publish"});
  // The probe recorded every frame's L1 for the dashboard's brightness plot: 48 one-frame buckets.
  const json& probe_facts = job["steps"][0]["checkpoint"]["facts"];
  const std::string brightness = probe_facts.value("brightness", "");
  CHECK(brightness.rfind("brightness/1 48 1 ", 0) == 0);
  CHECK(std::count(brightness.begin(), brightness.end(), ':') == 2 * 48);

  json mkv = testing::ToolJson({"mkvmerge", "-J", out});
  std::vector<std::string> langs;
  int subs = 0;
  for (const json& t : mkv["tracks"]) {
    if (t["type"] == "audio") langs.push_back(t["properties"]["language"]);
    if (t["type"] == "subtitles") ++subs;
  }
  CHECK(langs == std::vector<std::string>{"eng", "fre"});
  CHECK(subs == 1);
  CHECK(mkv["chapters"][0]["num_entries"] == 2);

  json probe = testing::ToolJson({"ffprobe", "-v", "error", "-select_streams", "v:0",
                                  "-count_packets", "-show_streams", "-of", "json", out});
  const json& v = probe["streams"][0];
  CHECK(v["nb_read_packets"] == "48");
  json dovi;
  for (const json& sd : v["side_data_list"]) {
    if (sd["side_data_type"] == "DOVI configuration record") dovi = sd;
  }
  CHECK(dovi["dv_profile"] == 8);
  CHECK(dovi["dv_bl_signal_compatibility_id"] == 1);
  CHECK(dovi["el_present_flag"] == 0);

  json mi = testing::ToolJson({"mediainfo", "--Output=JSON", out});
  for (const json& t : mi["media"]["track"]) {
    if (t["@type"] != "Video") continue;
    CHECK(absl::StrContains(t["HDR_Format_Profile"].get<std::string>(), "dvhe.08"));
    CHECK(t["FrameCount"] == "48");
  }
  const std::string info = testing::RunTool({Bin("ctl/mkvctl"), "dovi", "info", out});
  CHECK(absl::StrContains(info, "profile 8"));
  testing::CheckOutput(out, {});

  // The job log has one free-space line per step, naming the folder.
  const std::string logs = f.Logs(id);
  INFO(logs);
  CHECK(absl::StrContains(logs, "(direct rewrite: drop EL"));  // not the libavformat fallback
  CHECK_FALSE(absl::StrContains(logs, "using the libavformat remux"));
  for (const char* step : {"probe", "plan", "rpu", "encode", "verify"}) {
    CHECK(absl::StrContains(logs, absl::StrCat("step ", step, ": free space in ", f.work())));
  }
  CHECK(absl::StrContains(logs, absl::StrCat("step mux: free space in ", f.out(), "/Films: ")));
  CHECK(absl::StrContains(logs, absl::StrCat("step publish: free space in ", f.out(), "/Films: ")));
  // Its temp folder is gone once the job is over.
  MediaFleet::WaitFor("the job folder removed", [&] { return JobFolders(f).empty(); });
}

TEST_CASE("sources that need nothing or that the policy skips end skipped with the reason") {
  MediaFleet& f = Fleet();
  const std::string fel = f.library() + "/fel.mkv";
  const std::string p81 = f.library() + "/p81.mkv";
  testing::CopySample(SampleKind::kP7Fel, fel);
  testing::CopySample(SampleKind::kP81, p81);
  json a = f.WaitDone(f.Enqueue(fel));
  CHECK(a["state"] == "skipped");
  CHECK(absl::StrContains(a["error"].get<std::string>(), "FEL"));
  json b = f.WaitDone(f.Enqueue(p81));
  CHECK(b["state"] == "skipped");
  CHECK(absl::StrContains(b["error"].get<std::string>(), "already Dolby Vision profile 8"));
  CHECK(NothingAt(f.out() + "/fel.mkv"));
  CHECK(NothingAt(f.out() + "/p81.mkv"));
}

TEST_CASE("bad inputs fail with a clear reason, leave nothing behind and the source intact") {
  MediaFleet& f = Fleet();
  const std::string dir = f.library() + "/bad";
  fs::create_directories(dir);
  fs::create_directories(f.out() + "/bad");
  std::ofstream(dir + "/empty.mkv").close();
  std::ofstream(dir + "/text.mkv") << "this is not a Matroska file\n";
  {
    const std::string full = testing::Sample(SampleKind::kP7Mel);
    const std::string bytes = testing::ReadFileOrFail(full);
    std::ofstream(dir + "/truncated.mkv", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  testing::CopySample(SampleKind::kP7Mel, dir + "/taken.mkv");
  std::ofstream(f.out() + "/bad/taken.mkv") << "already here";

  struct Case {
    std::string name, reason;
  };
  for (const Case& c : {Case{"empty.mkv", "empty"}, Case{"text.mkv", "text.mkv"},
                        Case{"truncated.mkv", "truncated.mkv"},
                        Case{"taken.mkv", "already exists"}}) {
    const std::string src = dir + "/" + c.name;
    const std::string sha = testing::Sha256OfFile(src);
    json job = f.WaitDone(f.Enqueue(src));
    INFO(c.name << ": " << job.dump(1));
    CHECK((job["state"] == "failed_permanent" || job["state"] == "skipped"));
    CHECK(absl::StrContains(job["error"].get<std::string>(), c.reason));
    CHECK(testing::Sha256OfFile(src) == sha);
    if (c.name == "taken.mkv") {
      CHECK(testing::ReadFileOrFail(f.out() + "/bad/taken.mkv") == "already here");
    } else {
      CHECK(NothingAt(f.out() + "/bad/" + c.name));
    }
  }
}

TEST_CASE("an MKV without video ends skipped, saying so") {
  MediaFleet& f = Fleet();
  const std::string src = f.library() + "/bad/audio-only.mkv";
  fs::create_directories(f.library() + "/bad");
  testing::RunTool({"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=2", "-c:a", "flac", "-metadata:s:a:0",
                    "language=eng", src});
  const std::string sha = testing::Sha256OfFile(src);
  json job = f.WaitDone(f.Enqueue(src));
  INFO(job.dump(1));
  CHECK((job["state"] == "skipped" || job["state"] == "failed_permanent"));
  CHECK(absl::StrContains(job["error"].get<std::string>(), "no video track"));
  CHECK(testing::Sha256OfFile(src) == sha);
  CHECK(NothingAt(f.out() + "/bad/audio-only.mkv"));
}

TEST_CASE("a file deleted while queued fails, naming it") {
  MediaFleet& f = Fleet();
  const std::string src = f.library() + "/gone/deleted.mkv";
  testing::CopySample(SampleKind::kP7Mel, src);
  f.StopAgent();  // no agent may claim it before it is deleted
  const int64_t id = f.Enqueue(src);
  fs::remove(src);
  f.StartAgent();
  json job = f.WaitDone(id);
  INFO(job.dump(1));
  CHECK(job["state"] == "failed_permanent");
  const std::string error = job["error"];
  CHECK(absl::StrContains(error, src));
  CHECK(absl::StrContains(error, "does not exist"));
  CHECK(NothingAt(f.out() + "/gone/deleted.mkv"));
}

TEST_CASE("an unreadable file fails, naming it and the permission problem") {
  if (!MediaFleet::AgentHonoursPermissions()) {
    WARN("skipped: running as root without setpriv, so the agent reads a chmod 000 file anyway");
    return;
  }
  MediaFleet& f = Fleet();
  const std::string src = f.library() + "/locked/locked.mkv";
  testing::CopySample(SampleKind::kP7Mel, src);
  const std::string sha = testing::Sha256OfFile(src);
  fs::permissions(src, fs::perms::none);
  json job = f.WaitDone(f.Enqueue(src));
  fs::permissions(src, fs::perms::owner_read | fs::perms::owner_write);
  INFO(job.dump(1));
  CHECK(job["state"] == "failed_permanent");
  CHECK(absl::StrContains(job["error"].get<std::string>(), src));
  CHECK(absl::StrContains(job["error"].get<std::string>(), "Permission denied"));
  CHECK(testing::Sha256OfFile(src) == sha);
  CHECK(NothingAt(f.out() + "/locked/locked.mkv"));
}

TEST_CASE("a restarted agent removes the job folders it left behind, except its last job's") {
  MediaFleet& f = Fleet();
  f.StopAgent();  // SIGKILL: nothing gets cleaned on the way out
  fs::create_directories(f.work() + "/jobs/job-990");
  std::ofstream(f.work() + "/jobs/job-990/rpu81.bin") << "stale";
  fs::create_directories(f.work() + "/jobs/job-991");
  std::ofstream(f.work() + "/last-held-job") << "991\n";
  f.StartAgent();
  MediaFleet::WaitFor("the stale job folder removed",
                      [&] { return !fs::exists(f.work() + "/jobs/job-990"); });
  CHECK(JobFolders(f) == std::vector<std::string>{"job-991"});  // may still resume job 991

  // Once it claims another job, the folder of the job it no longer holds goes too, and that
  // job's own folder when it ends.
  const std::string src = f.library() + "/after-restart.mkv";
  testing::CopySample(SampleKind::kP81, src);
  json job = f.WaitDone(f.Enqueue(src));
  CHECK(job["state"] == "skipped");
  MediaFleet::WaitFor("every job folder removed", [&] { return JobFolders(f).empty(); });
}

}  // namespace
}  // namespace mkvfleet

namespace mkvfleet {
namespace {

TEST_CASE("after SIGKILL the agent keeps the folder of the job it resumes; the copy is not redone") {
  MediaFleet& f = Fleet();
  f.UseAgentConfig("copy_source = true\n");
  const std::string src = f.library() + "/resume/r.mkv";
  testing::CopySample(SampleKind::kP7Mel, src);
  const std::string sha = testing::Sha256OfFile(src);
  // A file where the output folder must go: the mux cannot create it (a retryable failure).
  std::ofstream(f.out() + "/resume") << "in the way";
  const int64_t id = f.Enqueue(src);
  json shown;
  MediaFleet::WaitFor("the mux step to fail", [&] {
    shown = f.Ctl({"show", absl::StrCat(id)});
    for (const json& s : shown["steps"]) {
      if (s["name"] == "mux" && s["state"] == "failed") return true;
    }
    return false;
  });
  INFO(shown.dump(1));
  const std::string copy = absl::StrCat(f.work(), "/jobs/job-", id, "/source.mkv");
  CHECK(fs::exists(copy));

  f.StopAgent();  // SIGKILL
  fs::remove(f.out() + "/resume");
  f.StartAgent();
  f.Ctl({"reset", absl::StrCat(id), "--from-step", "4"});
  json job = f.WaitDone(id);
  const std::string logs = f.Logs(id);
  INFO(job.dump(1) << "\n" << logs);
  REQUIRE(job["state"] == "completed");
  CHECK(absl::StrContains(logs, "runs pipeline media from step 4 (mux)"));
  // One copy for the whole job: the resumed run used the one in the kept folder.
  size_t copies = 0;
  for (size_t at = logs.find("copy_source: copied"); at != std::string::npos;
       at = logs.find("copy_source: copied", at + 1)) {
    ++copies;
  }
  CHECK(copies == 1);
  CHECK(absl::StrContains(logs, copy + " -> "));  // the mux read the copy
  testing::CheckOutput(f.out() + "/resume/r.mkv", {});
  CHECK(testing::Sha256OfFile(src) == sha);
  MediaFleet::WaitFor("the job folder removed", [&] { return JobFolders(f).empty(); });
}

}  // namespace
}  // namespace mkvfleet
