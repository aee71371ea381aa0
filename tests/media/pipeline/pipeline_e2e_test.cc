// End to end through real processes: mkv-coordinator (with --output-dir), one mkv-agent running
// the media pipeline, mkvctl for every observation. Outputs are judged by mkvmerge -J, ffprobe,
// mediainfo and mkvctl dovi info; bad inputs must end failed or skipped with a reason, leave
// nothing at the destination and the source byte-identical.
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "catch2/catch.hpp"
#include "common/process/subprocess.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet {
namespace {

namespace fs = std::filesystem;
using media::SampleKind;
using nlohmann::json;

std::string Bin(const std::string& rel) { return testing::BinaryDir() + "/" + rel; }

// A daemon child whose stderr is drained by a thread and whose stdout goes to a file.
class Child {
 public:
  Child(std::vector<std::string> argv, const std::string& stdout_file) {
    process::ProcessSpec spec;
    spec.argv = std::move(argv);
    spec.stdout_sink.kind = process::StdoutSink::Kind::kFile;
    spec.stdout_sink.path = stdout_file;
    spec.timeout = absl::InfiniteDuration();
    auto p = process::Subprocess::Start(std::move(spec));
    INFO(p.status().ToString());
    REQUIRE(p.ok());
    proc_ = *std::move(p);
    waiter_ = std::thread([this] { (void)proc_->Wait(); });
  }
  ~Child() {
    proc_->Kill();
    waiter_.join();
  }

 private:
  std::unique_ptr<process::Subprocess> proc_;
  std::thread waiter_;
};

class MediaFleet {
 public:
  MediaFleet() : root_(testing::MakeTempDir("pipeline-e2e")) {
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
    agent_ = std::make_unique<Child>(
        std::vector<std::string>{Bin("agent/mkv-agent"), "--server", address_, "--name", "a1",
                                 "--work-dir", root_ + "/work", "--pipeline", "media"},
        root_ + "/agent.out");
  }

  const std::string& library() const { return library_; }
  const std::string& out() const { return out_; }

  json Ctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {Bin("ctl/mkvctl"), "--server", address_, "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::ToolJson(argv);
  }

  int64_t Enqueue(const std::string& path, const std::string& plan = "") {
    std::vector<std::string> args = {"enqueue", path};
    if (!plan.empty()) args.insert(args.end(), {"--plan", plan});
    json r = Ctl(args);
    REQUIRE(r.is_array());
    REQUIRE(r.size() == 1);
    INFO(r.dump());
    REQUIRE(r[0]["outcome"] == "created");
    return r[0]["job_id"].get<int64_t>();
  }

  // Waits for a terminal state; returns mkvctl --json show.
  json WaitDone(int64_t id) {
    json job;
    WaitFor(absl::StrCat("job ", id, " to finish"), [&] {
      job = Ctl({"show", absl::StrCat(id)});
      const std::string s = job["state"];
      return s == "completed" || s == "skipped" || s == "failed" || s == "failed_permanent" ||
             s == "cancelled";
    });
    return job;
  }

  static void WaitFor(const std::string& what, const std::function<bool()>& pred) {
    const absl::Time end = absl::Now() + absl::Seconds(90);
    while (!pred()) {
      if (absl::Now() > end) FAIL("timed out waiting for " << what);
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

 private:
  std::string root_, library_, out_, address_;
  std::unique_ptr<Child> coordinator_, agent_;
};

MediaFleet& Fleet() {
  static MediaFleet* fleet = new MediaFleet();
  return *fleet;
}

bool NothingAt(const std::string& dest) {
  if (fs::exists(dest)) return false;
  for (const auto& e : fs::directory_iterator(fs::path(dest).parent_path())) {
    if (absl::StrContains(e.path().filename().string(), ".part")) return false;
  }
  return true;
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

}  // namespace
}  // namespace mkvfleet
