// The pure parts of a chunked re-encode's prepare: whether to chunk, the frame index a probe gives
// and its constant-rate check, and the plan + manifest made from a fake probe and generated RPUs
// with scene starts every 24 frames.
#include "agent/encode/chunk_plan.h"

#include <algorithm>
#include <set>

#include "agent/encode/frame_index.h"
#include "agent/encode/x265_args.h"
#include "catch2/catch.hpp"
#include "common/chunk/chunk_commands.h"
#include "common/chunk/rpu_slice.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/samplegen/sample_rpus.h"

namespace mkvfleet::agent::encode {
namespace {

ChunkingRequest Auto(int agents, double min_seconds) {
  ChunkingRequest r;
  r.agents = agents;
  r.min_seconds = min_seconds;
  return r;
}

TEST_CASE("the chunking rule: shared dir and (forced, or auto with agents and a long title)") {
  ChunkingRequest forced;
  forced.chunks = 3;
  ChunkingDecision d = DecideChunking(forced, true, 10);
  CHECK(d.chunk);
  CHECK(d.forced);
  CHECK(d.cuts.forced_chunks == 3);
  CHECK_THAT(d.reason, Catch::Contains("--chunks 3"));
  // Without a shared work dir nothing chunks, even when forced.
  d = DecideChunking(forced, false, 10);
  CHECK_FALSE(d.chunk);
  CHECK_THAT(d.reason, Catch::Contains("no shared work dir"));
  // --chunks 1 never chunks.
  ChunkingRequest never = Auto(8, 0);
  never.chunks = 1;
  CHECK_FALSE(DecideChunking(never, true, 100000).chunk);
  // Auto: two agents and a title longer than min_seconds.
  ChunkingRequest a = Auto(2, 600);
  a.chunks_per_agent = 4;
  a.min_chunk_seconds = 30;
  a.max_chunk_seconds = 300;
  d = DecideChunking(a, true, 601);
  CHECK(d.chunk);
  CHECK_FALSE(d.forced);
  CHECK(d.cuts.forced_chunks == 0);
  CHECK(d.cuts.agents == 2);
  CHECK(d.cuts.chunks_per_agent == 4);
  CHECK(d.cuts.min_chunk_seconds == 30);
  CHECK(d.cuts.max_chunk_seconds == 300);
  CHECK_FALSE(DecideChunking(a, true, 600).chunk);  // not longer
  CHECK_FALSE(DecideChunking(a, false, 7200).chunk);
  CHECK_FALSE(DecideChunking(Auto(1, 600), true, 7200).chunk);
  CHECK_THAT(DecideChunking(Auto(1, 600), true, 7200).reason, Catch::Contains("1 agent"));
  CHECK_FALSE(DecideChunking(Auto(0, 0), true, 7200).chunk);  // a request never filled in
  CHECK_FALSE(DecideChunking(Auto(3, 0), true, 0).chunk);     // length unknown
}

TEST_CASE("title seconds from frames and rate, else the container duration") {
  media::MediaInfo info;
  info.frame_count = 240;
  info.fps_num = 24;
  info.fps_den = 1;
  CHECK(TitleSeconds(info) == 10);
  info.fps_num = 0;
  info.duration_s = 9.5;
  CHECK(TitleSeconds(info) == 9.5);
  info.duration_s = 0;
  CHECK(TitleSeconds(info) == 0);
}

// ffprobe -of flat output for `pts` at 1/1000, with the side-data lines ffprobe prints anyway.
std::string FlatProbe(const std::vector<std::string>& pts, const std::string& start = "0.000000") {
  std::string out;
  for (size_t k = 0; k < pts.size(); ++k) {
    out += "frames.frame." + std::to_string(k) + ".pts=" + pts[k] + "\n";
    out += "frames.frame." + std::to_string(k) +
           ".best_effort_timestamp=" + (pts[k] == "\"N/A\"" ? std::to_string(k * 42) : pts[k]) +
           "\n";
    out += "frames.frame." + std::to_string(k) + ".side_data_list.side_data.0.x=\"1\"\n";
  }
  out += "streams.stream.0.time_base=\"1/1000\"\n";
  out += "format.start_time=\"" + start + "\"\n";
  return out;
}

// Millisecond timestamps of `n` frames at fps_num/fps_den, rounded as Matroska stores them.
std::vector<std::string> MkvPts(int n, int64_t offset_ms = 0, int64_t fps_num = 24000,
                                int64_t fps_den = 1001) {
  std::vector<std::string> pts;
  for (int64_t k = 0; k < n; ++k) {
    pts.push_back(std::to_string(offset_ms + (2 * k * fps_den * 1000 + fps_num) / (2 * fps_num)));
  }
  return pts;
}

TEST_CASE("frame index: ffprobe's flat output parsed; N/A pts falls back to best effort") {
  auto parsed = ParseFrameIndex(FlatProbe({"0", "\"N/A\"", "83"}));
  REQUIRE(parsed.ok());
  CHECK(parsed->time_base_num == 1);
  CHECK(parsed->time_base_den == 1000);
  CHECK(parsed->start_time_s == 0);
  CHECK(parsed->pts == std::vector<int64_t>{0, 42, 83});
  const std::vector<std::string> argv = FrameIndexArgv("ffprobe", "/m/a.mkv", "/w/list.txt");
  CHECK(argv.back() == "/m/a.mkv");
  CHECK(std::find(argv.begin(), argv.end(), "/w/list.txt")[-1] == "-o");

  CHECK_THAT(std::string(ParseFrameIndex("frames.frame.0.pts=0\n").status().message()),
             Catch::Contains("no video stream time base"));
  CHECK_THAT(std::string(ParseFrameIndex("frames.frame.0.pts=0\nframes.frame.2.pts=3\n"
                                         "streams.stream.0.time_base=\"1/1000\"\n")
                             .status()
                             .message()),
             Catch::Contains("frame 2 after frame 0"));
  CHECK_THAT(std::string(ParseFrameIndex("frames.frame.0.pts=N/A\n"
                                         "streams.stream.0.time_base=\"1/1000\"\n")
                             .status()
                             .message()),
             Catch::Contains("frame 0 has no timestamp"));
}

TEST_CASE("constant frame rate: Matroska's rounded times pass, VFR and offset video do not") {
  auto cfr = ParseFrameIndex(FlatProbe(MkvPts(2000)));
  REQUIRE(cfr.ok());
  CHECK(CheckConstantFrameRate(*cfr, 24000, 1001).ok());
  // The same times against the wrong rate drift off: 24 fps is 0.1% faster.
  absl::Status wrong = CheckConstantFrameRate(*cfr, 24, 1);
  CHECK(wrong.code() == absl::StatusCode::kFailedPrecondition);

  // One frame held 60% of a frame longer, then the rest shifted: variable frame rate.
  std::vector<std::string> pts = MkvPts(100);
  for (int k = 50; k < 100; ++k) pts[k] = std::to_string(std::stoll(pts[k]) + 25);
  auto vfr = ParseFrameIndex(FlatProbe(pts));
  REQUIRE(vfr.ok());
  absl::Status s = CheckConstantFrameRate(*vfr, 24000, 1001);
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(s.message()), Catch::Contains("variable frame rate"));
  CHECK_THAT(std::string(s.message()), Catch::Contains("frame 50 "));
  CHECK_THAT(std::string(s.message()), Catch::Contains("--chunks 1"));

  // Video starting 100 ms after the file (e.g. audio first): seeks from the start would be off.
  auto late = ParseFrameIndex(FlatProbe(MkvPts(10, 100)));
  REQUIRE(late.ok());
  CHECK_THAT(std::string(CheckConstantFrameRate(*late, 24000, 1001).message()),
             Catch::Contains("frame 0 "));
  // ... unless the file starts there too.
  auto shifted = ParseFrameIndex(FlatProbe(MkvPts(10, 100), "0.100000"));
  REQUIRE(shifted.ok());
  CHECK(CheckConstantFrameRate(*shifted, 24000, 1001).ok());

  FrameIndex empty;
  empty.time_base_num = 1;
  empty.time_base_den = 1000;
  CHECK(CheckConstantFrameRate(empty, 24, 1).code() == absl::StatusCode::kFailedPrecondition);
  CHECK(CheckConstantFrameRate(*cfr, 0, 1).code() == absl::StatusCode::kInvalidArgument);
}

// A fake probe of a 72-frame 8.1 title at 24 fps (the sample generator's defaults).
media::MediaInfo ProbedTitle() {
  media::MediaInfo m;
  m.has_video = true;
  m.video_codec = "hevc";
  m.width = 256;
  m.height = 144;
  m.pix_fmt = "yuv420p10le";
  m.color_primaries = "bt2020";
  m.color_transfer = "smpte2084";
  m.color_space = "bt2020nc";
  m.fps_num = 48;  // unreduced, as a container may say it
  m.fps_den = 2;
  m.frame_count = 72;
  m.size_bytes = 200000;
  m.hdr10.content_light = true;
  m.hdr10.max_cll = 1000;
  m.hdr10.max_fall = 400;
  return m;
}

struct Rpus {
  std::vector<uint8_t> file;
  std::vector<absl::Span<const uint8_t>> payloads;
};
Rpus SampleRpus(int frames, int scene_every) {
  Rpus r;
  auto file = samplegen::BuildSampleRpuFile(samplegen::SampleKind::kP81, frames, scene_every);
  REQUIRE(file.ok());
  r.file = *std::move(file);
  auto payloads = dovi::ParseRpuFile(r.file);
  REQUIRE(payloads.ok());
  r.payloads = *std::move(payloads);
  return r;
}

TEST_CASE("prepare plan from a fake probe: cuts on the scene starts, manifest with slices") {
  const Rpus rpus = SampleRpus(72, 24);
  const media::MediaInfo info = ProbedTitle();
  // The probe's frame index fits the rate.
  auto index = ParseFrameIndex(FlatProbe(MkvPts(72, 0, 24, 1)));
  REQUIRE(index.ok());
  REQUIRE(index->pts.size() == rpus.payloads.size());
  auto plan = PlanChunkCuts(rpus.payloads, info, chunk::CutRequest::Forced(3));
  REQUIRE(plan.ok());
  CHECK(plan->fps_num == 24);
  CHECK(plan->fps_den == 1);
  CHECK(CheckConstantFrameRate(*index, plan->fps_num, plan->fps_den).ok());
  CHECK(plan->scene_starts == std::vector<int64_t>{0, 24, 48});
  REQUIRE(plan->ranges.size() == 3);
  CHECK(plan->ranges[0] == chunk::ChunkRange{0, 0, 24, true});
  CHECK(plan->ranges[1] == chunk::ChunkRange{1, 24, 24, true});
  CHECK(plan->ranges[2] == chunk::ChunkRange{2, 48, 24, true});
  const std::vector<std::string> lines = DescribePlan(*plan);
  REQUIRE(lines.size() == 3);
  CHECK(lines[1] == "chunk 1: frames [24, 48) (24), starts on a scene start");

  EncodeProfile profile;
  profile.preset = "ultrafast";
  profile.crf = 22;
  auto pm = BuildChunkManifest("/lib/film.mkv", info, profile, *plan, rpus.file, rpus.payloads);
  REQUIRE(pm.ok());
  const chunk::ChunkManifest& m = pm->manifest;
  CHECK(chunk::ValidateManifest(m).ok());
  CHECK(m.source_path == "/lib/film.mkv");
  CHECK(m.frame_count == 72);
  CHECK(m.rpu_file == "rpu.bin");
  CHECK(m.rpu_sha256 == *chunk::Sha256Hex(rpus.file));
  // Exactly what a whole-file encode uses, minus input, output, frames, RPUs and VBV.
  Argv decoder = DecoderGlobalArgs();
  const Argv out = DecoderOutputArgs("yuv420p10le");
  decoder.insert(decoder.end(), out.begin(), out.end());
  CHECK(m.decoder_args == decoder);
  CHECK(m.x265_args == *X265CommonArgs(info, profile, true));
  CHECK(m.vbv.maxrate_kbps == kDvVbvKbpsHd);
  CHECK(m.vbv.bufsize_kbps == kDvVbvKbpsHd);
  REQUIRE(m.chunks.size() == 3);
  REQUIRE(pm->slices.size() == 3);
  std::vector<uint8_t> joined_slices;
  for (int i = 0; i < 3; ++i) {
    CHECK(m.chunks[i].first_frame == 24 * i);
    CHECK(m.chunks[i].frames == 24);
    CHECK(m.chunks[i].rpu_slice == ChunkSliceName(i));
    CHECK(m.chunks[i].output == ChunkOutputName(i));
    CHECK(m.chunks[i].rpu_slice_sha256 == *chunk::Sha256Hex(pm->slices[i]));
    auto slice = dovi::ParseRpuFile(pm->slices[i]);
    REQUIRE(slice.ok());
    CHECK(slice->size() == 24);
    joined_slices.insert(joined_slices.end(), pm->slices[i].begin(), pm->slices[i].end());
  }
  CHECK(joined_slices == rpus.file);  // the slices tile the whole RPU file
  CHECK(ChunkSliceName(3) == "slice-0003.bin");
  CHECK(ChunkOutputName(12) == "chunk-0012.hevc");
  // The chunk command lines come out of it.
  auto enc = chunk::ChunkEncoderArgv(m, 1, "x265", "/s/slice-0001.bin", "/s/chunk-0001.hevc");
  REQUIRE(enc.ok());
  CHECK(std::find(enc->begin(), enc->end(), "--vbv-init") != enc->end());
}

TEST_CASE("plans: auto on a short title is one chunk; errors name what is wrong") {
  const Rpus rpus = SampleRpus(72, 24);
  media::MediaInfo info = ProbedTitle();
  // Auto with 60 s minimum chunks: a 3 s title is one chunk (the step then encodes it whole).
  auto one = PlanChunkCuts(rpus.payloads, info, chunk::CutRequest::Auto(3));
  REQUIRE(one.ok());
  CHECK(one->ranges.size() == 1);
  // Forced with too few frames.
  const Rpus few = SampleRpus(5, 0);
  CHECK(PlanChunkCuts(few.payloads, info, chunk::CutRequest::Forced(3)).status().code() ==
        absl::StatusCode::kInvalidArgument);
  // Rate unknown.
  info.fps_num = 0;
  CHECK(PlanChunkCuts(rpus.payloads, info, chunk::CutRequest::Forced(3)).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  // No scene starts but frame 0: cuts fall mid-scene on the ideal frames, and say so.
  info = ProbedTitle();
  const Rpus one_scene = SampleRpus(72, 0);
  auto mid = PlanChunkCuts(one_scene.payloads, info, chunk::CutRequest::Forced(2));
  REQUIRE(mid.ok());
  REQUIRE(mid->ranges.size() == 2);
  CHECK(mid->ranges[1].first_frame == 36);
  CHECK_FALSE(mid->ranges[1].starts_on_scene_cut);
  CHECK_THAT(DescribePlan(*mid)[1], Catch::Contains("MID-SCENE"));
  // A profile whose extra options the chunks set themselves is refused with the reason.
  EncodeProfile bad;
  bad.extra_args = {"--open-gop"};
  auto pm =
      BuildChunkManifest("/lib/film.mkv", info, bad, *mid, one_scene.file, one_scene.payloads);
  REQUIRE_FALSE(pm.ok());
  CHECK(pm.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(pm.status().message()), Catch::Contains("--open-gop"));
}

}  // namespace
}  // namespace mkvfleet::agent::encode
