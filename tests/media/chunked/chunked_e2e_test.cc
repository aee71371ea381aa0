// Chunked Dolby Vision re-encode end to end through real daemons: three agents share one work dir
// and encode one generated profile 7 title (B-frames, a distinct RPU on every frame, a scene every
// 24 frames) in chunks. Judged per frame: the output carries, in display order, exactly the
// source's RPUs converted to 8.1 (our reader, byte for byte) and the source's scene-refresh
// pattern (ffprobe's decoder), with the source's frame count (ffprobe, mkvmerge, mediainfo).
// Then the failure paths: an agent SIGKILLed inside a chunk, a chunk file truncated before
// assembly, and a chunk encoded with the wrong RPU slice.
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "catch2/catch.hpp"
#include "tests/media/chunked/chunk_fleet.h"
#include "tests/media/pipeline/media_fleet.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ChunkFleet;

constexpr int kFrames = 96;

std::string Mkvctl() { return testing::BinaryDir() + "/ctl/mkvctl"; }

// A 4-second profile 7 MEL title with a scene every 24 frames, made once per process.
const std::string& Title() {
  static const std::string path = [] {
    const std::string p = testing::MakeTempDir("chunked-src") + "/title.mkv";
    testing::RunTool({Mkvctl(), "gen-sample", "--kind", "p7-mel", "--seconds", "4",
                      "--scene-every", "24", "-q", "-o", p});
    return p;
  }();
  return path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The title's RPUs in display order, converted to 8.1 as the job must carry them (our reader).
std::string ExpectedRpus(const std::string& dir) {
  const std::string raw = dir + "/source.rpu", converted = dir + "/expected.rpu";
  testing::RunTool({Mkvctl(), "dovi", "extract-rpu", Title(), "-o", raw});
  testing::RunTool({Mkvctl(), "dovi", "convert-rpu", raw, "-o", converted, "--mode", "2"});
  return ReadAll(converted);
}

// scene_refresh_flag of every frame in display order, as ffprobe's decoder exports it.
std::vector<int> SceneFlags(const std::string& path) {
  json frames = testing::ToolJson({"ffprobe", "-v", "error", "-select_streams", "v:0",
                                   "-show_frames", "-show_entries",
                                   "frame=side_data_list", "-of", "json", path})["frames"];
  std::vector<int> flags;
  for (const json& f : frames) {
    int flag = -1;
    for (const json& sd : f.value("side_data_list", json::array())) {
      if (sd.value("side_data_type", "") == "Dolby Vision Metadata") {
        flag = sd.value("scene_refresh_flag", -1);
      }
    }
    flags.push_back(flag);
  }
  return flags;
}

// Copies the title into the library and enqueues it with --chunks `chunks`.
int64_t Enqueue(ChunkFleet& f, const std::string& name, const std::string& chunks) {
  const std::string src = f.library() + "/" + name;
  fs::copy_file(Title(), src, fs::copy_options::overwrite_existing);
  return f.Enqueue(src, chunks);
}

// Everything a correct chunked output shows.
void CheckChunkedOutput(const json& job, const std::string& logs, size_t chunks) {
  INFO(job.dump(1) << "\n" << logs);
  REQUIRE(job["state"] == "completed");
  REQUIRE(job["chunks"].size() == chunks);
  int64_t next = 0;
  for (const json& c : job["chunks"]) {
    CHECK(c["state"] == "done");
    CHECK(c["first_frame"] == next);
    next += c["frames"].get<int64_t>();
  }
  CHECK(next == kFrames);
  const std::string out = job["output"];
  testing::CheckOutput(out, testing::ExpectedOutput{.frames = kFrames});
  const std::string dir = testing::MakeTempDir("chunked-check");
  testing::RunTool({Mkvctl(), "dovi", "extract-rpu", out, "-o", dir + "/output.rpu"});
  CHECK(ReadAll(dir + "/output.rpu") == ExpectedRpus(dir));  // frame k carries RPU k
  const std::vector<int> flags = SceneFlags(out);
  CHECK(flags == SceneFlags(Title()));
  REQUIRE(flags.size() == static_cast<size_t>(kFrames));
  for (int k = 0; k < kFrames; ++k) CHECK(flags[k] == (k % 24 == 0 ? 1 : 0));
}

TEST_CASE("three agents encode one title in chunks, frame-exact, with its RPUs in place") {
  ChunkFleet f;
  for (const char* name : {"a1", "a2", "a3"}) f.StartAgent(name);
  const int64_t id = Enqueue(f, "three.mkv", "3");
  const json job = f.WaitDone(id);
  const std::string logs = f.Logs(id);
  CheckChunkedOutput(job, logs, 3);
  std::set<std::string> agents;
  for (const json& c : job["chunks"]) {
    agents.insert(c["agent"].get<std::string>());
    CHECK(c["attempts"] == 1);
    CHECK(c["progress"]["frames_done"] == c["frames"]);
  }
  CHECK(agents.size() >= 2);  // the fleet shared the work
  CHECK(absl::StrContains(logs, "encode split into 3 chunks"));
  CHECK(absl::StrContains(logs, "all 3 chunks done"));
  CHECK(!fs::exists(f.shared() + "/mkvfleet-chunks/job-" + std::to_string(id)));

  SECTION("--chunks 1 never chunks") {
    const int64_t whole = Enqueue(f, "whole.mkv", "1");
    const json w = f.WaitDone(whole);
    INFO(w.dump(1));
    CHECK(w["state"] == "completed");
    CHECK(w["chunks"].empty());
  }
}

TEST_CASE("an agent SIGKILLed inside a chunk: that chunk alone is redone") {
  ChunkFleet f;
  // a1 prepares and encodes slowly; a2 is killed while it holds a chunk.
  f.StartAgent("a1");
  f.StartAgent("a2", {"MKVFLEET_TEST_CHUNK_PAUSE_MS=4000"});
  const int64_t id = Enqueue(f, "kill.mkv", "3");
  int killed_chunk = -1;
  testing::MediaFleet::WaitFor("a2 inside a chunk", [&] {
    json job = f.Ctl({"show", std::to_string(id)});
    for (const json& c : job.value("chunks", json::array())) {
      if (c["state"] == "running" && c["agent"] == "a2") {
        killed_chunk = c["index"];
        return true;
      }
    }
    return false;
  });
  f.KillAgent("a2");
  f.StartAgent("a3");
  const json job = f.WaitDone(id);
  const std::string logs = f.Logs(id);
  CheckChunkedOutput(job, logs, 3);
  for (const json& c : job["chunks"]) {
    CHECK(c["attempts"] == (c["index"] == killed_chunk ? 2 : 1));
  }
  CHECK(absl::StrContains(logs, absl::StrCat("on chunk ", killed_chunk, " expired")));
}

TEST_CASE("a chunk file truncated before assembly is caught and redone") {
  ChunkFleet f;
  // a1 is slow, so chunk files wait in the shared dir while the others finish.
  f.StartAgent("a1", {"MKVFLEET_TEST_CHUNK_PAUSE_MS=5000"});
  f.StartAgent("a2");
  const int64_t id = Enqueue(f, "truncated.mkv", "3");
  std::string victim;
  int victim_index = -1;
  testing::MediaFleet::WaitFor("a chunk done while another runs", [&] {
    json job = f.Ctl({"show", std::to_string(id)});
    bool running = false;
    for (const json& c : job.value("chunks", json::array())) running |= c["state"] == "running";
    for (const json& c : job.value("chunks", json::array())) {
      if (c["state"] == "done" && running) {
        victim_index = c["index"];
        victim = absl::StrCat(f.shared(), "/mkvfleet-chunks/job-", id, "/chunk-",
                              std::string(4 - std::to_string(victim_index).size(), '0'),
                              victim_index, ".hevc");
        return fs::exists(victim);
      }
    }
    return false;
  });
  fs::resize_file(victim, fs::file_size(victim) / 2);
  const json job = f.WaitDone(id);
  const std::string logs = f.Logs(id);
  CheckChunkedOutput(job, logs, 3);
  CHECK(job["chunks"][victim_index]["attempts"] == 2);
  CHECK(absl::StrContains(logs, absl::StrCat("assembly refused chunks ", victim_index)));
}

TEST_CASE("a chunk encoded with the wrong RPU slice is refused and redone") {
  ChunkFleet f;
  for (const char* name : {"a1", "a2"}) f.StartAgent(name, {"MKVFLEET_TEST_CHUNK_RPU_SHIFT=1"});
  const int64_t id = Enqueue(f, "shifted.mkv", "3");
  const json job = f.WaitDone(id);
  const std::string logs = f.Logs(id);
  CheckChunkedOutput(job, logs, 3);
  CHECK(job["chunks"][1]["attempts"] == 2);
  CHECK(job["chunks"][0]["attempts"] == 1);
  CHECK(absl::StrContains(logs, "chunk 1 failed"));
}

}  // namespace
}  // namespace mkvfleet
