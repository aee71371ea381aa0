// The dv-reencode encode step's chunked modes in-process, with real tools on a generated Dolby
// Vision profile 7 MEL title (256x144, 72 frames, B-frames, a scene every 24 frames): PREPARE into
// a temp shared work dir seen through a path_map, the chunks encoded here with the manifest's own
// command lines (chunk::ChunkDecoderArgv | chunk::ChunkEncoderArgv), ASSEMBLE, then mux, verify
// and publish as for every job; the joined stream and the output judged by ffprobe, mkvctl and
// the RPU file. Also: damaged chunks are named for redo, VFR is refused when chunks are forced and
// encoded whole when auto.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/match.h"
#include "agent/encode/chunk_plan.h"
#include "agent/encode/reencode_steps.h"
#include "agent/media/media_pipeline.h"
#include "catch2/catch.hpp"
#include "common/chunk/chunk_commands.h"
#include "common/chunk/cut_plan.h"
#include "common/chunk/manifest.h"
#include "common/chunk/stream_check.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/dvstream/byte_io.h"
#include "common/samplegen/sample_generator.h"
#include "common/samplegen/tool_runner.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet::agent::encode {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kFrames = 72;
constexpr int64_t kJobId = 7;

// A job run step by step as the StepRunner would, with the agent's shared work dir set and a
// path_map: the coordinator sees the library as /coord/lib and the shared dir as /coord/shared.
struct Job {
  std::string root, lib, shared, work, source;
  std::vector<PathMapping> path_map;
  Task task;
  std::unique_ptr<Pipeline> pipeline;
  std::vector<StepRecord> done;
  std::vector<std::string> log;

  std::string Log() const {
    std::string all;
    for (const std::string& l : log) all += l + "\n";
    return all;
  }
  std::string Local(const std::string& coordinator) const {
    return ToLocalPath(coordinator, path_map);
  }
  Step& StepNamed(const std::string& name) {
    for (const auto& s : pipeline->steps()) {
      if (s->name() == name) return *s;
    }
    FAIL("no step " << name);
    return *pipeline->steps().front();  // not reached: FAIL throws
  }
  // Runs step `name`; a finished step (not chunked) is recorded for the later ones.
  absl::StatusOr<StepResult> Run(const std::string& name) {
    std::atomic<bool> cancel{false};
    StepContext::Hooks hooks;
    hooks.log = [this, name](LogLevel, const std::string& text) {
      log.push_back(name + ": " + text);
    };
    StepContext ctx(task, "a1", source, work, &path_map, done, &cancel, hooks);
    ctx.set_shared_work_dir(shared);
    absl::StatusOr<StepResult> r = StepNamed(name).Run(ctx);
    if (r.ok() && r->outcome != StepResult::Outcome::kChunked) {
      done.push_back(
          StepRecord{static_cast<int>(done.size()), name, StepStatus::kDone, r->checkpoint, "a1"});
    }
    return r;
  }
};

// A 3 s profile 7 MEL sample with a scene every 24 frames, generated once per process.
const std::string& SceneSample() {
  static const std::string* path = [] {
    const std::string dir = testing::MakeTempDir("chunked-sample");
    samplegen::SampleSpec spec;
    spec.kind = samplegen::SampleKind::kP7Mel;  // dv-reencode converts profile 7
    spec.seconds = 3;
    spec.scene_every = 24;
    auto* p = new std::string(dir + "/scenes.mkv");
    absl::Status s = samplegen::GenerateSample(spec, *p);
    INFO(s.ToString());
    REQUIRE(s.ok());
    return p;
  }();
  return *path;
}

std::unique_ptr<Job> MakeJob(const std::string& name, const std::string& sample) {
  auto job = std::make_unique<Job>();
  job->root = testing::MakeTempDir(name);
  job->lib = job->root + "/lib";
  job->shared = job->root + "/shared";
  job->work = job->root + "/work";
  for (const std::string& d : {job->lib, job->shared, job->work}) fs::create_directories(d);
  job->source = job->lib + "/film.mkv";
  fs::copy_file(sample, job->source);
  job->path_map = {{"/coord/lib", job->lib}, {"/coord/shared", job->shared}};
  job->task.job_id = kJobId;
  job->task.source_path = "/coord/lib/film.mkv";
  job->task.plan_override = "dv-reencode";
  media::MediaSettings settings;
  settings.ssim_floor = 0.90;
  ReencodeOptions options;
  options.profile.preset = "ultrafast";
  options.profile.crf = 20;
  job->pipeline = media::MakeMediaPipeline(
      settings, MakeReencodePlans(std::make_shared<const media::MediaSettings>(settings), options));
  return job;
}

// probe, plan, rpu: what the whole-job task runs before encode.
void RunUpToEncode(Job& job) {
  for (const char* step : {"probe", "plan", "rpu"}) {
    absl::StatusOr<StepResult> r = job.Run(step);
    INFO(step << ": " << r.status().ToString() << "\n" << job.Log());
    REQUIRE(r.ok());
  }
}

std::vector<uint8_t> Bytes(const std::string& path) {
  const std::string s = testing::ReadFileOrFail(path);
  return std::vector<uint8_t>(s.begin(), s.end());
}

chunk::StreamReport Analyze(const std::string& path) {
  auto in = dvstream::FileSource::Open(path);
  REQUIRE(in.ok());
  auto report = chunk::AnalyzeStream(**in);
  REQUIRE(report.ok());
  return *std::move(report);
}

// Encodes every chunk of the manifest as a chunk agent would (the manifest's command lines, the
// real ffmpeg | x265), checks each, and returns the records the coordinator would send back.
std::vector<ChunkRecord> EncodeChunks(const Job& job, const std::string& manifest_path) {
  auto manifest = chunk::ParseManifest(testing::ReadFileOrFail(manifest_path));
  REQUIRE(manifest.ok());
  const fs::path folder = fs::path(manifest_path).parent_path();
  std::vector<ChunkRecord> records;
  for (const chunk::ManifestChunk& c : manifest->chunks) {
    const std::string slice = (folder / c.rpu_slice).string();
    const std::string out = (folder / c.output).string();
    auto decode =
        chunk::ChunkDecoderArgv(*manifest, c.index, "ffmpeg", job.Local(manifest->source_path));
    auto encode = chunk::ChunkEncoderArgv(*manifest, c.index, "x265", slice, out);
    REQUIRE(decode.ok());
    REQUIRE(encode.ok());
    absl::Status ran = samplegen::RunPipeline(*decode, *encode, absl::Minutes(5));
    INFO(ran.ToString());
    REQUIRE(ran.ok());
    // Each chunk alone: its frames, an IDR first, its slice's RPUs in display order.
    const std::vector<uint8_t> slice_bytes = Bytes(slice);
    CHECK(chunk::CheckChunk(Analyze(out), c.frames, slice_bytes, nullptr).ok());
    ChunkRecord r;
    r.index = c.index;
    r.first_frame = c.first_frame;
    r.frames = c.frames;
    r.status = ChunkStatus::kDone;
    r.agent = "a" + std::to_string(2 + c.index % 2);
    r.attempts = 1;
    const int64_t size = static_cast<int64_t>(fs::file_size(out));
    r.checkpoint.artifacts.push_back(Artifact{"chunk", ToCoordinatorPath(out, job.path_map),
                                              ArtifactLocation::kShared, r.agent, size});
    r.checkpoint.facts["sha256"] = testing::Sha256OfFile(out);
    r.checkpoint.facts["bytes"] = std::to_string(size);
    r.checkpoint.facts["frames"] = std::to_string(c.frames);
    records.push_back(std::move(r));
  }
  return records;
}

int64_t CountFrames(const std::string& file) {
  json j =
      testing::ToolJson({"ffprobe", "-v", "error", "-print_format", "json", "-count_frames",
                         "-show_entries", "stream=nb_read_frames", "-select_streams", "v:0", file});
  return std::stoll(j["streams"][0]["nb_read_frames"].get<std::string>());
}

void Corrupt(const std::string& path, size_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  f.seekp(static_cast<std::streamoff>(offset));
  c = static_cast<char>(c ^ 0x5a);
  f.write(&c, 1);
}

TEST_CASE("chunked dv-reencode: prepare, chunks, assemble, then mux/verify/publish") {
  std::unique_ptr<Job> job = MakeJob("chunked-reencode", SceneSample());
  RunUpToEncode(*job);
  job->task.chunking.chunks = 3;  // mkvctl enqueue --chunks 3

  // PREPARE.
  absl::StatusOr<StepResult> prepared = job->Run("encode");
  INFO(prepared.status().ToString() << "\n" << job->Log());
  REQUIRE(prepared.ok());
  REQUIRE(prepared->outcome == StepResult::Outcome::kChunked);
  const std::string folder = job->shared + "/mkvfleet-chunks/job-7";
  const std::string manifest_path = folder + "/manifest.json";
  CHECK(prepared->chunk_manifest == manifest_path);  // local; the runner translates it
  REQUIRE(prepared->chunks.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(prepared->chunks[i].index == i);
    CHECK(prepared->chunks[i].first_frame == 24 * i);
    CHECK(prepared->chunks[i].frames == 24);
  }
  CHECK(prepared->checkpoint.facts.at("chunk_folder") == "/coord/shared/mkvfleet-chunks/job-7");
  const std::string log = job->Log();
  CHECK(absl::StrContains(log, "encode: chunking: forced: 3 chunks"));
  CHECK(absl::StrContains(log, "72 decoded frames, constant 24/1 fps"));
  CHECK(absl::StrContains(log, "3 scene starts in the RPUs; 2 of 2 cuts on scene starts"));
  CHECK(absl::StrContains(log, "chunk 2: frames [48, 72) (24), starts on a scene start"));
  // The folder: manifest, the whole converted RPU file (== the rpu step's), one slice per chunk,
  // nothing half-written.
  auto manifest = chunk::ParseManifest(testing::ReadFileOrFail(manifest_path));
  REQUIRE(manifest.ok());
  CHECK(manifest->source_path == "/coord/lib/film.mkv");
  CHECK(manifest->frame_count == kFrames);
  std::string rpu_local;
  for (const StepRecord& s : job->done) {
    if (s.name == "rpu") rpu_local = s.checkpoint.artifacts.at(0).path;
  }
  const std::vector<uint8_t> rpu_file = Bytes(folder + "/rpu.bin");
  CHECK(rpu_file == Bytes(rpu_local));
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(folder)) names.insert(e.path().filename().string());
  CHECK(names == std::set<std::string>{"manifest.json", "rpu.bin", "slice-0000.bin",
                                       "slice-0001.bin", "slice-0002.bin"});
  // The cuts fall on the title's scene starts (from the converted RPUs).
  auto payloads = dovi::ParseRpuFile(rpu_file);
  REQUIRE(payloads.ok());
  auto scenes = chunk::SceneStartsFromRpus(*payloads);
  REQUIRE(scenes.ok());
  CHECK(*scenes == std::vector<int64_t>{0, 24, 48});
  for (const chunk::ManifestChunk& c : manifest->chunks) {
    CHECK(std::binary_search(scenes->begin(), scenes->end(), c.first_frame));
  }

  // The chunks, encoded as the chunk runner would, then the job comes back to assemble.
  const std::vector<ChunkRecord> records = EncodeChunks(*job, manifest_path);
  job->task.chunks = records;
  job->task.chunk_manifest = "/coord/shared/mkvfleet-chunks/job-7/manifest.json";

  SECTION("damaged chunk files are named for redo, and the assembly is retried") {
    const std::string chunk1 = folder + "/chunk-0001.hevc";
    const std::string chunk2 = folder + "/chunk-0002.hevc";
    const std::vector<uint8_t> original1 = Bytes(chunk1);
    Corrupt(chunk1, original1.size() / 2);
    absl::StatusOr<StepResult> r = job->Run("encode");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kUnavailable);  // retryable
    CHECK(RedoChunksOf(r.status()) == std::vector<int>{1});
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("chunk 1: " + chunk1));
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("SHA-256"));
    CHECK_FALSE(fs::exists(folder + "/joined.hevc"));
    // Truncated and missing files are found before anything is read.
    fs::resize_file(chunk2, fs::file_size(chunk2) - 100);
    fs::remove(folder + "/chunk-0000.hevc");
    r = job->Run("encode");
    REQUIRE_FALSE(r.ok());
    CHECK(RedoChunksOf(r.status()) == std::vector<int>{0, 2});
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("is missing"));
    CHECK_THAT(std::string(r.status().message()),
               Catch::Contains("chunk 2: " + chunk2 + " is " +
                               std::to_string(fs::file_size(chunk2)) + " bytes"));
    // A chunk the coordinator does not list as done: retry later, nothing to redo.
    job->task.chunks[1].status = ChunkStatus::kRunning;
    r = job->Run("encode");
    CHECK(r.status().code() == absl::StatusCode::kUnavailable);
    CHECK(RedoChunksOf(r.status()).empty());
  }

  SECTION("assemble joins the chunks; mux, verify and publish finish the job") {
    absl::StatusOr<StepResult> assembled = job->Run("encode");
    INFO(assembled.status().ToString() << "\n" << job->Log());
    REQUIRE(assembled.ok());
    CHECK(assembled->outcome == StepResult::Outcome::kContinue);
    const std::string joined = folder + "/joined.hevc";
    REQUIRE(assembled->checkpoint.artifacts.size() == 1);
    const Artifact& bl = assembled->checkpoint.artifacts[0];
    CHECK(bl.name == kArtifactEncoded);
    CHECK(bl.location == ArtifactLocation::kShared);
    CHECK(bl.path == "/coord/shared/mkvfleet-chunks/job-7/joined.hevc");
    CHECK(bl.size_bytes == static_cast<int64_t>(fs::file_size(joined)));
    CHECK(assembled->checkpoint.facts.at(kFactEncodedFrames) == "72");
    CHECK(assembled->checkpoint.facts.at(kFactPixFmt) == "yuv420p10le");
    // The joined stream, judged independently: ffprobe's frame count, our extract-rpu (frame k
    // carries converted RPU k), the IDRs at the cuts, and CheckJoined as a whole.
    CHECK(CountFrames(joined) == kFrames);
    const std::string rpus_out = job->root + "/joined-rpus.bin";
    testing::RunTool(
        {testing::BinaryDir() + "/ctl/mkvctl", "dovi", "extract-rpu", joined, "-o", rpus_out});
    CHECK(Bytes(rpus_out) == rpu_file);
    const chunk::StreamReport report = Analyze(joined);
    CHECK(report.access_units == kFrames);
    CHECK(std::count(report.idr_decode_indices.begin(), report.idr_decode_indices.end(), 24) == 1);
    CHECK(std::count(report.idr_decode_indices.begin(), report.idr_decode_indices.end(), 48) == 1);
    CHECK(chunk::CheckJoined(report, *manifest, rpu_file).ok());
    CHECK(absl::StrContains(job->Log(), "encode: joined stream checked: 72 frames"));

    // The mux step muxes the shared encoded_bl (its path translated), then verify and publish.
    for (const char* step : {"mux", "verify", "publish"}) {
      absl::StatusOr<StepResult> r = job->Run(step);
      INFO(step << ": " << r.status().ToString() << "\n" << job->Log());
      REQUIRE(r.ok());
      if (std::string(step) == "publish") {
        CHECK(r->outcome == StepResult::Outcome::kCompleted);
      }
    }
    const std::string output = job->lib + "/film.DV81.mkv";
    REQUIRE(fs::exists(output));
    CHECK(CountFrames(output) == kFrames);
    const json info =
        testing::ToolJson({testing::BinaryDir() + "/ctl/mkvctl", "dovi", "info", "--json", output});
    CHECK(info["profile"] == 8);
    CHECK(info["rpus"] == kFrames);
    CHECK(info["scene_cuts"] == 3);
    const std::string mi = testing::RunTool({"mediainfo", output});
    CHECK(absl::StrContains(mi, "dvhe.08"));
    // Published: the job's chunk folder is gone, the shared dir itself stays.
    CHECK_FALSE(fs::exists(folder));
    CHECK(fs::exists(job->shared + "/mkvfleet-chunks"));
    CHECK(absl::StrContains(job->Log(), "publish: removed the chunk folder " + folder));
  }
}

TEST_CASE("chunk folders: named by job, and only such a folder is ever removed") {
  CHECK(media::ChunkFolderFor("/s", 42) == "/s/mkvfleet-chunks/job-42");
  const std::string root = testing::MakeTempDir("chunk-folder");
  const std::string folder = media::ChunkFolderFor(root, 42);
  fs::create_directories(folder + "/sub");
  std::ofstream(folder + "/sub/x") << "x";
  CHECK(media::RemoveChunkFolder(folder, 41).code() == absl::StatusCode::kInvalidArgument);
  CHECK(media::RemoveChunkFolder(root, 42).code() == absl::StatusCode::kInvalidArgument);
  CHECK(fs::exists(folder + "/sub/x"));
  CHECK(media::RemoveChunkFolder(folder + "/", 42).ok());
  CHECK_FALSE(fs::exists(folder));
  CHECK(media::RemoveChunkFolder(folder, 42).ok());  // already gone
}

// The sample remuxed with the middle frames' timestamps stretched: variable frame rate.
std::string VfrSample(const std::string& dir) {
  std::string ts = "# timestamp format v2\n";
  double t = 0;
  for (int k = 0; k < kFrames; ++k) {
    ts += std::to_string(static_cast<int64_t>(t)) + "\n";
    t += k >= 30 && k < 40 ? 83.4 : 41.7;  // ten frames shown twice as long
  }
  std::ofstream(dir + "/ts.txt") << ts;
  const std::string out = dir + "/vfr.mkv";
  testing::RunTool(
      {"mkvmerge", "-q", "-o", out, "--timestamps", "0:" + dir + "/ts.txt", SceneSample()});
  return out;
}

TEST_CASE("a variable frame rate title: refused when chunks are forced, encoded whole on auto") {
  const std::string vfr = VfrSample(testing::MakeTempDir("chunked-vfr"));
  SECTION("forced: a permanent failure saying why") {
    std::unique_ptr<Job> job = MakeJob("chunked-vfr-forced", vfr);
    RunUpToEncode(*job);
    job->task.chunking.chunks = 3;
    absl::StatusOr<StepResult> r = job->Run("encode");
    INFO(job->Log());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(IsPermanentFailure(r.status()));
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("variable frame rate"));
    CHECK_THAT(std::string(r.status().message()), Catch::Contains("frame 31 "));
    CHECK_FALSE(fs::exists(job->shared + "/mkvfleet-chunks/job-7/manifest.json"));
  }
  SECTION("auto: the title is encoded whole on this agent") {
    std::unique_ptr<Job> job = MakeJob("chunked-vfr-auto", vfr);
    RunUpToEncode(*job);
    job->task.chunking.agents = 3;
    job->task.chunking.min_seconds = 1;
    job->task.chunking.min_chunk_seconds = 0.5;
    job->task.chunking.max_chunk_seconds = 1;
    absl::StatusOr<StepResult> r = job->Run("encode");
    INFO(r.status().ToString() << "\n" << job->Log());
    REQUIRE(r.ok());
    CHECK(r->outcome == StepResult::Outcome::kContinue);
    CHECK(r->chunks.empty());
    CHECK(absl::StrContains(job->Log(), "encode: chunking: auto: 3 agents"));
    CHECK(absl::StrContains(job->Log(), "not chunking after all"));
    CHECK(absl::StrContains(job->Log(), "variable frame rate"));
    CHECK(r->checkpoint.facts.at(kFactEncodedFrames) == "72");
  }
}

}  // namespace
}  // namespace mkvfleet::agent::encode
