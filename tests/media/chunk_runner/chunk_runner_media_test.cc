// The chunk runner with the real tools: a tiny generated film (256x144, 48 frames at 24 fps), its
// per-frame Dolby Vision RPUs (each one different), and a hand-written manifest of two chunks in a
// shared folder reached through path_map. Each chunk is run as an agent would run its chunk task;
// the chunk files are then judged again by the chunk checks, their join by the join check and by
// ffprobe, and the test hooks and a tampered RPU slice show the refusals.
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/encode/chunk_output.h"
#include "agent/encode/chunk_runner.h"
#include "catch2/catch.hpp"
#include "common/chunk/manifest.h"
#include "common/chunk/rpu_slice.h"
#include "common/chunk/stream_check.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/dvstream/byte_io.h"
#include "common/samplegen/sample_rpus.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet::agent::encode {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using samplegen::SampleKind;

constexpr int kFrames = 48;

void WriteFile(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

Bytes ReadBytes(const std::string& path) {
  const std::string s = mkvfleet::testing::ReadFileOrFail(path);
  return Bytes(s.begin(), s.end());
}

// The shared folder of job 7 (coordinator /coord/shared/job-7) with rpu.bin, two slices and the
// manifest, over the HDR10 sample copied to the library (coordinator /coord/lib/film.mkv).
struct SharedJob {
  std::string root = mkvfleet::testing::MakeTempDir("mkvfleet-chunk-media");
  std::string folder = root + "/shared/job-7";
  std::vector<PathMapping> path_map{{"/coord/shared", root + "/shared"},
                                    {"/coord/lib", root + "/lib"}};
  Bytes rpus;
  chunk::ChunkManifest manifest;

  SharedJob() {
    fs::create_directories(folder);
    mkvfleet::testing::CopySample(SampleKind::kHdr10, root + "/lib/film.mkv");
    absl::StatusOr<Bytes> file = samplegen::BuildSampleRpuFile(SampleKind::kP81, kFrames);
    REQUIRE(file.ok());
    rpus = *std::move(file);
    WriteFile(folder + "/rpu.bin", rpus);
    auto payloads = dovi::ParseRpuFile(rpus);
    REQUIRE(payloads.ok());

    manifest.source_path = "/coord/lib/film.mkv";
    manifest.frame_count = kFrames;
    manifest.fps_num = 24;
    manifest.fps_den = 1;
    manifest.rpu_file = "rpu.bin";
    manifest.rpu_sha256 = *chunk::Sha256Hex(rpus);
    manifest.decoder_args = {"-map",    "0:v:0", "-pix_fmt", "yuv420p10le",
                             "-strict", "-1",    "-f",       "yuv4mpegpipe"};
    manifest.x265_args = {"--preset",
                          "ultrafast",
                          "--crf",
                          "28",
                          "--output-depth",
                          "10",
                          "--profile",
                          "main10",
                          "--colorprim",
                          "bt2020",
                          "--transfer",
                          "smpte2084",
                          "--colormatrix",
                          "bt2020nc",
                          "--master-display",
                          "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)",
                          "--max-cll",
                          "1000,400",
                          "--hdr10"};
    manifest.vbv.maxrate_kbps = 4000;
    manifest.vbv.bufsize_kbps = 4000;
    for (int i = 0; i < 2; ++i) {
      const int64_t first = i * (kFrames / 2);
      absl::StatusOr<Bytes> slice = chunk::SliceRpus(*payloads, first, kFrames / 2);
      REQUIRE(slice.ok());
      const std::string name = absl::StrCat("slice-000", i, ".bin");
      WriteFile(folder + "/" + name, *slice);
      manifest.chunks.push_back({i, first, kFrames / 2, name, *chunk::Sha256Hex(*slice),
                                 absl::StrCat("chunk-000", i, ".hevc")});
    }
    absl::StatusOr<std::string> json = chunk::ToJson(manifest);
    REQUIRE(json.ok());
    WriteFile(folder + "/manifest.json", Bytes(json->begin(), json->end()));
  }

  // Chunk `index`'s task; `attempts` as the coordinator counts them (this claim included).
  Task TaskFor(int index, const std::string& parameter_sets_sha256, int attempts = 1) const {
    Task t;
    t.job_id = 7;
    t.task_id = 100 + index;
    const chunk::ManifestChunk& c = manifest.chunks[index];
    t.chunk = ChunkAssignment{index, c.first_frame, c.frames, "/coord/shared/job-7/manifest.json",
                              parameter_sets_sha256};
    t.chunks.push_back(
        ChunkRecord{index, c.first_frame, c.frames, ChunkStatus::kRunning, "vm1", attempts, {}});
    return t;
  }
  std::string ChunkFile(int index) const {
    return absl::StrCat(folder, "/chunk-000", index, ".hevc");
  }
};

struct Run {
  absl::StatusOr<StepResult> result = absl::UnknownError("not run");
  std::vector<Progress> progress;
  std::vector<std::string> logs;

  Run(const SharedJob& job, const Task& task) {
    std::atomic<bool> cancel{false};
    StepContext ctx(task, "vm1", "", "", &job.path_map, {}, &cancel,
                    {[this](const Progress& p) { progress.push_back(p); },
                     [this](LogLevel, const std::string& t) { logs.push_back(t); }});
    ChunkRunnerSettings settings;
    settings.tool_timeout = absl::Minutes(2);
    result = RunChunk(ctx, settings);
    INFO(absl::StrJoin(logs, "\n"));
    if (!result.ok()) INFO(result.status().ToString());
  }
  std::string Fact(const std::string& key) const { return result->checkpoint.facts.at(key); }
};

chunk::StreamReport Analyze(const std::string& path) {
  absl::StatusOr<std::unique_ptr<dvstream::FileSource>> file = dvstream::FileSource::Open(path);
  REQUIRE(file.ok());
  absl::StatusOr<chunk::StreamReport> report = chunk::AnalyzeStream(**file);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  return *std::move(report);
}

int64_t FramesByFfprobe(const std::string& path) {
  const std::string out = mkvfleet::testing::RunTool(
      {"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
       "stream=nb_read_frames", "-of", "default=nw=1:nk=1", path});
  return std::stoll(out);
}

TEST_CASE("two chunks encoded by the runner pass the chunk checks, and joined the join check") {
  SharedJob job;
  Run first(job, job.TaskFor(0, ""));
  INFO(absl::StrJoin(first.logs, "\n"));
  REQUIRE(first.result.ok());
  Run second(job, job.TaskFor(1, first.Fact(kFactChunkParameterSetsSha256)));
  INFO(absl::StrJoin(second.logs, "\n"));
  REQUIRE(second.result.ok());

  for (int i = 0; i < 2; ++i) {
    const Run& run = i == 0 ? first : second;
    const std::string file = job.ChunkFile(i);
    REQUIRE(fs::exists(file));
    CHECK_FALSE(fs::exists(file + ".vm1.part"));
    // The report: the shared chunk file in the coordinator's namespace, and its facts.
    REQUIRE(run.result->checkpoint.artifacts.size() == 1);
    const Artifact& a = run.result->checkpoint.artifacts[0];
    CHECK(a.name == kArtifactChunk);
    CHECK(a.path == absl::StrCat("/coord/shared/job-7/chunk-000", i, ".hevc"));
    CHECK(a.location == ArtifactLocation::kShared);
    CHECK(a.size_bytes == static_cast<int64_t>(fs::file_size(file)));
    CHECK(run.Fact(kFactChunkSha256) == mkvfleet::testing::Sha256OfFile(file));
    CHECK(run.Fact(kFactChunkFrames) == "24");
    CHECK(run.Fact(kFactChunkBytes) == absl::StrCat(fs::file_size(file)));
    REQUIRE_FALSE(run.progress.empty());
    CHECK(run.progress.back().frames_done == 24);
    CHECK(run.progress.back().frames_total == 24);
    // Judged again, independently of the runner: its own checks and ffprobe.
    const chunk::StreamReport report = Analyze(file);
    const Bytes slice = ReadBytes(absl::StrCat(job.folder, "/slice-000", i, ".bin"));
    absl::Status check = chunk::CheckChunk(report, 24, slice, nullptr);
    INFO(check.ToString());
    CHECK(check.ok());
    CHECK(*ParameterSetsSha256(report.parameter_sets) == run.Fact(kFactChunkParameterSetsSha256));
    CHECK(FramesByFfprobe(file) == 24);
  }
  CHECK(first.Fact(kFactChunkParameterSetsSha256) == second.Fact(kFactChunkParameterSetsSha256));

  const std::string joined = job.folder + "/joined.hevc";
  {
    std::ofstream out(joined, std::ios::binary);
    for (int i = 0; i < 2; ++i) out << std::ifstream(job.ChunkFile(i), std::ios::binary).rdbuf();
  }
  absl::Status join = chunk::CheckJoined(Analyze(joined), job.manifest, job.rpus);
  INFO(join.ToString());
  CHECK(join.ok());
  CHECK(FramesByFfprobe(joined) == kFrames);
}

TEST_CASE("the RPU-shift hook fails the first attempt's check; the retry succeeds") {
  SharedJob job;
  ::setenv(kEnvChunkRpuShift, "1", 1);
  Run shifted(job, job.TaskFor(1, "", /*attempts=*/1));
  Run retry(job, job.TaskFor(1, "", /*attempts=*/2));
  ::unsetenv(kEnvChunkRpuShift);

  REQUIRE_FALSE(shifted.result.ok());
  CHECK(absl::IsInternal(shifted.result.status()));  // retryable
  const std::string message(shifted.result.status().message());
  INFO(message);
  CHECK(absl::StrContains(message, "chunk 1 (" + job.ChunkFile(1) + ".vm1.part) failed its check"));
  CHECK(absl::StrContains(message, "differs from the RPU slice"));
  CHECK_FALSE(fs::exists(job.ChunkFile(1) + ".vm1.part"));

  INFO(absl::StrJoin(retry.logs, "\n"));
  REQUIRE(retry.result.ok());
  absl::Status check = chunk::CheckChunk(Analyze(job.ChunkFile(1)), 24,
                                         ReadBytes(job.folder + "/slice-0001.bin"), nullptr);
  CHECK(check.ok());
}

TEST_CASE("a chunk whose parameter sets differ from the accepted chunks' is refused, retryable") {
  SharedJob job;
  Run run(job, job.TaskFor(0, std::string(64, '0')));
  REQUIRE_FALSE(run.result.ok());
  CHECK(absl::IsInternal(run.result.status()));
  CHECK(absl::StrContains(run.result.status().message(), "parameter sets"));
  CHECK_FALSE(fs::exists(job.ChunkFile(0)));
}

TEST_CASE("a slice that does not match the manifest's hash is refused before any encode") {
  SharedJob job;
  Bytes slice = ReadBytes(job.folder + "/slice-0000.bin");
  slice[slice.size() / 2] ^= 0x01;
  WriteFile(job.folder + "/slice-0000.bin", slice);
  Run run(job, job.TaskFor(0, ""));
  REQUIRE_FALSE(run.result.ok());
  CHECK(absl::IsDataLoss(run.result.status()));
  CHECK(IsPermanentFailure(run.result.status()));
  CHECK(absl::StrContains(run.result.status().message(),
                          "chunk 0: RPU slice " + job.folder + "/slice-0000.bin has sha256"));
  CHECK_FALSE(fs::exists(job.ChunkFile(0) + ".vm1.part"));
  CHECK_FALSE(fs::exists(job.ChunkFile(0)));
}

}  // namespace
}  // namespace mkvfleet::agent::encode
