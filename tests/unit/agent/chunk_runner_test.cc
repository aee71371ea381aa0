// The chunk runner without real media: its refusals of bad inputs (permanent) and unreachable
// ones (retryable), and, with shell scripts standing in for ffmpeg and x265, what it makes of a
// tool that fails, hangs, warns about RPUs or writes garbage, its progress and the test hooks.
// tests/media/chunk_runner/ runs it with the real tools.
#include "agent/encode/chunk_runner.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/encode/chunk_inputs.h"
#include "agent/encode/chunk_output.h"
#include "common/chunk/manifest.h"
#include "common/chunk/rpu_slice.h"
#include "tests/test_paths.h"

namespace mkvfleet::agent::encode {
namespace {

using Bytes = std::vector<uint8_t>;

void WriteFile(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

void WriteText(const std::string& path, const std::string& text) {
  WriteFile(path, Bytes(text.begin(), text.end()));
}

std::string Sha(const Bytes& b) { return *chunk::Sha256Hex(b); }

// An RPU file of `frames` fake RPUs: payload 0x19, frame index (not parsed by the runner).
Bytes FakeRpus(int first, int frames) {
  Bytes out;
  for (int f = first; f < first + frames; ++f)
    out.insert(out.end(), {0, 0, 0, 1, 0x19, uint8_t(f)});
  return out;
}

// A job's chunk folder (coordinator path /shared/job-7 = local <root>/shared/job-7) with a
// manifest of two 4-frame chunks over a source that exists.
struct ChunkFolder {
  std::string root = mkvfleet::testing::MakeTempDir("mkvfleet-chunk-runner");
  std::string local = root + "/shared/job-7";
  std::vector<PathMapping> path_map{{"/shared", root + "/shared"}, {"/library", root + "/lib"}};
  chunk::ChunkManifest manifest;

  ChunkFolder() {
    std::filesystem::create_directories(local);
    std::filesystem::create_directories(root + "/lib");
    WriteText(root + "/lib/a.mkv", "not really a film");
    manifest.source_path = "/library/a.mkv";
    manifest.frame_count = 8;
    manifest.fps_num = 24;
    manifest.fps_den = 1;
    manifest.rpu_file = "rpu.bin";
    WriteFile(local + "/rpu.bin", FakeRpus(0, 8));
    manifest.rpu_sha256 = Sha(FakeRpus(0, 8));
    manifest.decoder_args = {"-f", "yuv4mpegpipe"};
    manifest.x265_args = {"--preset", "ultrafast"};
    for (int i = 0; i < 2; ++i) {
      const std::string slice = absl::StrCat("slice-000", i, ".bin");
      WriteFile(local + "/" + slice, FakeRpus(4 * i, 4));
      manifest.chunks.push_back(
          {i, 4 * i, 4, slice, Sha(FakeRpus(4 * i, 4)), absl::StrCat("chunk-000", i, ".hevc")});
    }
    WriteManifest();
  }
  void WriteManifest() { WriteText(local + "/manifest.json", *chunk::ToJson(manifest)); }

  Task TaskFor(int index) const {
    Task t;
    t.job_id = 7;
    t.task_id = 70 + index;
    const chunk::ManifestChunk& c = manifest.chunks[index];
    t.chunk = ChunkAssignment{index, c.first_frame, c.frames, "/shared/job-7/manifest.json", ""};
    return t;
  }

  // A script standing in for a tool; `body` runs after it has read all of stdin, with $out set
  // to the value after --output.
  std::string Tool(const std::string& name, const std::string& body) const {
    const std::string path = root + "/" + name;
    WriteText(path,
              "#!/bin/sh\nout=\"\"\nwhile [ $# -gt 0 ]; do\n"
              "  if [ \"$1\" = \"--output\" ]; then out=\"$2\"; fi\n  shift\ndone\n" +
                  body + "\n");
    ::chmod(path.c_str(), 0755);
    return path;
  }
};

// Runs the chunk runner on `task` as the agent would, recording progress and log lines.
struct Run {
  std::vector<Progress> progress;
  std::vector<std::string> logs;
  absl::StatusOr<StepResult> result = absl::UnknownError("not run");

  Run(const Task& task, const ChunkFolder& folder, const ChunkRunnerSettings& settings,
      const std::atomic<bool>* cancel = nullptr) {
    StepContext ctx(task, "vm1", "", "", &folder.path_map, {}, cancel,
                    {[this](const Progress& p) { progress.push_back(p); },
                     [this](LogLevel, const std::string& t) { logs.push_back(t); }});
    result = RunChunk(ctx, settings);
  }
  bool Contains(const std::string& part) const {
    return !result.ok() && absl::StrContains(result.status().message(), part);
  }
};

// Fake tools: an ffmpeg that writes a few bytes, and `x265_body` as x265.
ChunkRunnerSettings FakeTools(const ChunkFolder& f, const std::string& x265_body) {
  ChunkRunnerSettings s;
  s.ffmpeg = f.Tool("ffmpeg", "printf 'YUV4MPEG2 W2 H2 F24:1\\n'");
  s.x265 = f.Tool("x265", "cat > /dev/null\n" + x265_body);
  s.stall_timeout = absl::Seconds(30);
  s.tool_timeout = absl::Minutes(2);
  return s;
}

TEST_CASE("a task without a chunk assignment is refused") {
  ChunkFolder f;
  Run run(Task{}, f, ChunkRunnerSettings{});
  CHECK(absl::IsInvalidArgument(run.result.status()));
  CHECK(run.Contains("not a chunk task"));
}

TEST_CASE("a manifest this agent cannot read is retryable; one that is wrong is not") {
  ChunkFolder f;
  Task task = f.TaskFor(0);
  task.chunk->manifest_path = "/shared/job-8/manifest.json";
  Run missing(task, f, ChunkRunnerSettings{});
  CHECK(absl::IsUnavailable(missing.result.status()));
  CHECK(missing.Contains(f.root + "/shared/job-8/manifest.json"));  // the local path
  CHECK(missing.Contains("chunk 0"));

  WriteText(f.local + "/manifest.json", "{\"version\": 1");
  Run garbage(f.TaskFor(0), f, ChunkRunnerSettings{});
  CHECK(absl::IsInvalidArgument(garbage.result.status()));
  CHECK(garbage.Contains(f.local + "/manifest.json"));

  f.WriteManifest();
  Task moved = f.TaskFor(1);
  moved.chunk->first_frame = 5;
  Run mismatch(moved, f, ChunkRunnerSettings{});
  CHECK(absl::IsInvalidArgument(mismatch.result.status()));
  CHECK(mismatch.Contains("assigned [5, 9)"));

  Task beyond = f.TaskFor(1);
  beyond.chunk->index = 2;
  Run no_chunk(beyond, f, ChunkRunnerSettings{});
  CHECK(absl::IsInvalidArgument(no_chunk.result.status()));
  CHECK(no_chunk.Contains("no chunk 2"));
}

TEST_CASE("an RPU slice that is missing or differs from the manifest's hash is refused for good") {
  ChunkFolder f;
  Bytes tampered = FakeRpus(4, 4);
  tampered.back() ^= 1;
  WriteFile(f.local + "/slice-0001.bin", tampered);
  Run bad(f.TaskFor(1), f, ChunkRunnerSettings{});
  CHECK(absl::IsDataLoss(bad.result.status()));  // permanent (pipeline.h IsPermanentFailure)
  CHECK(bad.Contains("chunk 1: RPU slice " + f.local + "/slice-0001.bin has sha256 " +
                     Sha(tampered)));

  std::filesystem::remove(f.local + "/slice-0000.bin");
  Run missing(f.TaskFor(0), f, ChunkRunnerSettings{});
  CHECK(absl::IsDataLoss(missing.result.status()));
  CHECK(missing.Contains("slice-0000.bin is missing"));
}

TEST_CASE("a source this agent cannot reach is retryable") {
  ChunkFolder f;
  std::filesystem::remove(f.root + "/lib/a.mkv");
  Run run(f.TaskFor(0), f, ChunkRunnerSettings{});
  CHECK(absl::IsUnavailable(run.result.status()));
  CHECK(run.Contains(f.root + "/lib/a.mkv (coordinator path /library/a.mkv)"));
}

TEST_CASE("a failing x265 is retryable and leaves no part file") {
  ChunkFolder f;
  Run run(f.TaskFor(0), f,
          FakeTools(f, "printf 'x' > \"$out\"; echo 'x265 [error]: boom' >&2; exit 3"));
  CHECK(absl::IsInternal(run.result.status()));
  CHECK(run.Contains("chunk 0"));
  CHECK(run.Contains("x265 exit 3"));
  CHECK(run.Contains("boom"));
  CHECK_FALSE(std::filesystem::exists(f.local + "/chunk-0000.hevc.vm1.part"));
  CHECK_FALSE(std::filesystem::exists(f.local + "/chunk-0000.hevc"));
}

TEST_CASE("x265's RPU warnings fail the chunk even when it exits 0") {
  ChunkFolder f;
  Run run(f.TaskFor(1), f,
          FakeTools(f,
                    "printf 'x' > \"$out\"\n"
                    "echo 'x265 [warning]: Dolby Vision RPU not found for POC 2' >&2\n"
                    "echo 'x265 [warning]: Dolby Vision RPU count is greater than frame "
                    "count' >&2\nexit 0"));
  CHECK(absl::IsInternal(run.result.status()));  // retryable
  CHECK(run.Contains("x265 warned 2 time(s)"));
  CHECK(run.Contains("Dolby Vision RPU not found for POC 2"));
  CHECK(run.Contains(f.local + "/slice-0001.bin"));
  CHECK_FALSE(std::filesystem::exists(f.local + "/chunk-0001.hevc.vm1.part"));
}

TEST_CASE("output that is not the chunk fails its check, retryable, naming the file") {
  ChunkFolder f;
  Run run(f.TaskFor(0), f, FakeTools(f, "printf 'not hevc at all' > \"$out\""));
  CHECK(absl::IsInternal(run.result.status()));
  CHECK(run.Contains("chunk 0 (" + f.local + "/chunk-0000.hevc.vm1.part)"));
  CHECK_FALSE(std::filesystem::exists(f.local + "/chunk-0000.hevc"));
}

TEST_CASE("an x265 that stops making progress is killed by the watchdog: retryable") {
  ChunkFolder f;
  ChunkRunnerSettings s = FakeTools(f, "exec sleep 60");
  s.stall_timeout = absl::Seconds(1);
  const absl::Time start = absl::Now();
  Run run(f.TaskFor(0), f, s);
  CHECK(absl::IsUnavailable(run.result.status()));
  CHECK(run.Contains("x265 reported no progress for 1s"));
  CHECK(absl::Now() - start < absl::Seconds(30));  // killed, not waited for
}

TEST_CASE("progress goes out while the chunk runs; the pause hook holds the report back") {
  ChunkFolder f;
  ::setenv(kEnvChunkPauseMs, "1200", 1);
  Run run(f.TaskFor(0), f,
          FakeTools(f,
                    "echo '[25.0%] 1/4 frames, 2.00 fps, 10.00 kb/s, eta 0:00:02' >&2\n"
                    "printf 'x' > \"$out\""));
  ::unsetenv(kEnvChunkPauseMs);
  CHECK(absl::IsInternal(run.result.status()));  // the fake output fails the check afterwards
  bool saw = false;
  for (const Progress& p : run.progress) {
    if (p.frames_done == 1 && p.frames_total == 4 && p.fps == 2.0) saw = true;
  }
  CHECK(saw);
}

TEST_CASE("a cancelled chunk stops its tools and its pause") {
  ChunkFolder f;
  ::setenv(kEnvChunkPauseMs, "60000", 1);
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    absl::SleepFor(absl::Milliseconds(300));
    cancel = true;
  });
  const absl::Time start = absl::Now();
  Run run(f.TaskFor(0), f, FakeTools(f, "exec sleep 60"), &cancel);
  canceller.join();
  ::unsetenv(kEnvChunkPauseMs);
  CHECK(absl::IsCancelled(run.result.status()));
  CHECK(absl::Now() - start < absl::Seconds(30));
}

TEST_CASE("the RPU-shift hook feeds chunk N the next frames' RPUs on its first attempt only") {
  ChunkFolder f;
  ChunkRunnerSettings s = FakeTools(f, "printf 'x' > \"$out\"");
  // The shifted slice itself, as the hook writes it.
  ChunkInputs in;
  in.manifest = f.manifest;
  in.index = 0;
  in.folder = f.local;
  in.slice_path = f.local + "/slice-0000.bin";
  absl::StatusOr<std::string> shifted = WriteShiftedSlice(in);
  REQUIRE(shifted.ok());
  CHECK(*shifted == f.local + "/slice-0000.bin.test-shift");
  const std::string got = mkvfleet::testing::ReadFileOrFail(*shifted);
  CHECK(Bytes(got.begin(), got.end()) == FakeRpus(1, 4));
  in.index = 1;  // the last chunk cannot go later: one frame earlier instead
  in.slice_path = f.local + "/slice-0001.bin";
  const std::string last = mkvfleet::testing::ReadFileOrFail(*WriteShiftedSlice(in));
  CHECK(Bytes(last.begin(), last.end()) == FakeRpus(3, 4));

  // In a run: logged on the first attempt (the coordinator's count), not on a retry.
  ::setenv(kEnvChunkRpuShift, "1", 1);
  Task first = f.TaskFor(1);
  first.chunks = {ChunkRecord{1, 4, 4, ChunkStatus::kRunning, "vm1", 1, {}}};
  Run run1(first, f, s);
  Task retry = first;
  retry.chunks[0].attempts = 2;
  Run run2(retry, f, s);
  Run other(f.TaskFor(0), f, s);
  ::unsetenv(kEnvChunkRpuShift);
  auto logged_shift = [](const Run& r) {
    for (const auto& l : r.logs) {
      if (absl::StrContains(l, "RPUs shifted by one frame")) return true;
    }
    return false;
  };
  CHECK(logged_shift(run1));
  CHECK_FALSE(logged_shift(run2));
  CHECK_FALSE(logged_shift(other));
  bool fed_shifted = false;
  for (const auto& l : run1.logs) {
    if (absl::StrContains(l, "slice-0001.bin.test-shift")) fed_shifted = true;
  }
  CHECK(fed_shifted);  // x265's command line names the shifted file
  CHECK_FALSE(std::filesystem::exists(f.local + "/slice-0001.bin.test-shift"));  // removed
}

TEST_CASE("the parameter-set hash covers each NAL behind a 4-byte start code, in order") {
  chunk::ParameterSetNals nals = {{0x40, 0x01, 0xAA}, {0x42, 0x01, 0xBB}, {0x44, 0x01}};
  const Bytes joined = {0, 0,    0,    1,    0x40, 0x01, 0xAA, 0, 0,    0,
                        1, 0x42, 0x01, 0xBB, 0,    0,    0,    1, 0x44, 0x01};
  CHECK(*ParameterSetsSha256(nals) == Sha(joined));
  std::swap(nals[0], nals[1]);
  CHECK(*ParameterSetsSha256(nals) != Sha(joined));
}

TEST_CASE("part files carry the agent's name, made safe for a file name") {
  CHECK(FileNameSafe("vm-1.lan_2") == "vm-1.lan_2");
  CHECK(FileNameSafe("a/b c") == "a_b_c");
  CHECK(FileNameSafe("") == "agent");
}

}  // namespace
}  // namespace mkvfleet::agent::encode
