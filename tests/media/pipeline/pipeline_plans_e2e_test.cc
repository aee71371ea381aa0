// End to end through real processes (mkv-coordinator, mkv-agent with a [media] config, mkvctl):
// every plan and policy of the media pipeline on tiny generated films, each output judged by
// mkvmerge -J, ffprobe and mediainfo independently of our verify step; the source never changes.
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "catch2/catch.hpp"
#include "tests/media/pipeline/media_fleet.h"
#include "tests/media/pipeline/samples.h"

namespace mkvfleet {
namespace {

namespace fs = std::filesystem;
using samplegen::SampleKind;
using nlohmann::json;
using testing::ExpectedOutput;
using testing::Fleet;
using testing::MediaFleet;

// Quick re-encodes; the tiny ultrafast encodes reach SSIM ~0.95, not the default floor 0.98.
constexpr char kQuickEncodes[] = R"(ssim_floor = 0.9
[media.x265.default]
preset = "ultrafast"
crf = 20
)";

std::string Config(const std::string& media_keys) { return media_keys + kQuickEncodes; }

struct Run {
  json job;
  std::string logs;
  std::string output;
};

// Copies a sample into the library, runs it to the end (optionally with a plan override), and
// checks the source is byte-identical afterwards.
Run RunSample(SampleKind kind, const std::string& name, const std::string& plan = "") {
  MediaFleet& f = Fleet();
  const std::string src = f.library() + "/plans/" + name;
  testing::CopySample(kind, src);
  const std::string sha = testing::Sha256OfFile(src);
  const int64_t id = f.Enqueue(src, plan);
  Run run;
  run.job = f.WaitDone(id);
  run.logs = f.Logs(id);
  if (run.job.contains("output") && run.job["output"].is_string()) run.output = run.job["output"];
  CHECK(testing::Sha256OfFile(src) == sha);
  return run;
}

TEST_CASE("the independent checks tell 8.1, HDR10 and SDR apart (on the generated samples)") {
  testing::CheckOutput(testing::Sample(SampleKind::kP81), {});
  testing::CheckOutput(testing::Sample(SampleKind::kHdr10),
                       ExpectedOutput{.dolby_vision_81 = false, .hdr10 = true});
  testing::CheckOutput(testing::Sample(SampleKind::kSdr),
                       ExpectedOutput{.dolby_vision_81 = false, .hdr10 = false});
}

TEST_CASE("P7 MEL with the plan override dv-reencode becomes 8.1 on a re-encoded base layer") {
  Fleet().UseAgentConfig(Config(""));
  Run run = RunSample(SampleKind::kP7Mel, "mel-reencode.mkv", "dv-reencode");
  INFO(run.job.dump(1) << "\n" << run.logs);
  REQUIRE(run.job["state"] == "completed");
  CHECK(run.job["plan"] == "dv-reencode");
  CHECK(run.output == Fleet().out() + "/plans/mel-reencode.mkv");
  CHECK(absl::StrContains(run.logs, "plan: dv-reencode (override)"));
  CHECK(absl::StrContains(run.logs, "x265"));  // really encoded
  testing::CheckOutput(run.output, {});
  // rpu writes into the work dir, encode and mux beside the destination: each step's line says
  // where and how much.
  CHECK(absl::StrContains(run.logs, absl::StrCat("step rpu: free space in ", Fleet().work())));
  CHECK(absl::StrContains(run.logs, absl::StrCat("step encode: free space in ", Fleet().out(),
                                                 "/plans: ")));
  CHECK(absl::StrContains(run.logs, "needs about"));
}

TEST_CASE("P7 FEL under each fel_policy") {
  SECTION("skip (the default): skipped with the reason") {
    Fleet().UseAgentConfig(Config(""));
    Run run = RunSample(SampleKind::kP7Fel, "fel-skip.mkv");
    INFO(run.job.dump(1));
    CHECK(run.job["state"] == "skipped");
    CHECK(absl::StrContains(run.job["error"].get<std::string>(), "FEL"));
    CHECK(absl::StrContains(run.job["error"].get<std::string>(), "fel_policy"));
    CHECK(testing::NothingAt(Fleet().out() + "/plans/fel-skip.mkv"));
  }
  SECTION("convert: 8.1 by dv-convert, with the loss recorded as a warning in the job log") {
    Fleet().UseAgentConfig(Config("fel_policy = \"convert\"\n"));
    Run run = RunSample(SampleKind::kP7Fel, "fel-convert.mkv");
    INFO(run.job.dump(1) << "\n" << run.logs);
    REQUIRE(run.job["state"] == "completed");
    CHECK(run.job["plan"] == "dv-convert");
    CHECK(absl::StrContains(run.logs, "FEL converted under fel_policy = convert"));
    testing::CheckOutput(run.output, {});
  }
  SECTION("reencode: 8.1 on a re-encoded base layer") {
    Fleet().UseAgentConfig(Config("fel_policy = \"reencode\"\n"));
    Run run = RunSample(SampleKind::kP7Fel, "fel-reencode.mkv");
    INFO(run.job.dump(1) << "\n" << run.logs);
    REQUIRE(run.job["state"] == "completed");
    CHECK(run.job["plan"] == "dv-reencode");
    testing::CheckOutput(run.output, {});
  }
}

TEST_CASE("HDR10 and SDR sources under standard_policy = reencode") {
  Fleet().UseAgentConfig(Config("standard_policy = \"reencode\"\n"));
  SECTION("HDR10 stays HDR10 (PQ, mastering display), with no Dolby Vision") {
    Run run = RunSample(SampleKind::kHdr10, "hdr10.mkv");
    INFO(run.job.dump(1) << "\n" << run.logs);
    REQUIRE(run.job["state"] == "completed");
    CHECK(run.job["plan"] == "standard");
    testing::CheckOutput(run.output, ExpectedOutput{.dolby_vision_81 = false, .hdr10 = true});
  }
  SECTION("SDR stays BT.709") {
    Run run = RunSample(SampleKind::kSdr, "sdr.mkv");
    INFO(run.job.dump(1) << "\n" << run.logs);
    REQUIRE(run.job["state"] == "completed");
    CHECK(run.job["plan"] == "standard");
    testing::CheckOutput(run.output, ExpectedOutput{.dolby_vision_81 = false, .hdr10 = false});
  }
}

TEST_CASE("an already-8.1 source is skipped, saying so") {
  Fleet().UseAgentConfig(Config("standard_policy = \"reencode\"\nfel_policy = \"reencode\"\n"));
  Run run = RunSample(SampleKind::kP81, "p81.mkv");
  INFO(run.job.dump(1));
  CHECK(run.job["state"] == "skipped");
  CHECK(absl::StrContains(run.job["error"].get<std::string>(), "already Dolby Vision profile 8"));
  CHECK(testing::NothingAt(Fleet().out() + "/plans/p81.mkv"));
}

TEST_CASE("copy_source = true: later steps read a copy in the job folder, removed at the end") {
  Fleet().UseAgentConfig(Config("copy_source = true\n"));
  Run run = RunSample(SampleKind::kP7Mel, "copied.mkv");
  INFO(run.job.dump(1) << "\n" << run.logs);
  REQUIRE(run.job["state"] == "completed");
  CHECK(run.job["plan"] == "dv-convert");
  CHECK(absl::StrContains(run.logs, "copy_source: copied " + Fleet().library() +
                                        "/plans/copied.mkv to " + Fleet().work() + "/jobs/job-"));
  CHECK(absl::StrContains(run.logs, "/source.mkv -> "));  // the mux read the copy
  testing::CheckOutput(run.output, {});
  MediaFleet::WaitFor("the job folder (and the copy) removed", [&] {
    return !fs::exists(Fleet().work() + "/jobs") || fs::is_empty(Fleet().work() + "/jobs");
  });
}

// The P7 sample copied by ffmpeg (a CRC-32 in every level-1 element, all tags before the
// clusters) with `extra` output options, converted by the pipeline; returns the job's log.
std::string ConvertFfmpegCopy(const std::string& name, const std::vector<std::string>& extra) {
  Fleet().UseAgentConfig(Config(""));
  MediaFleet& f = Fleet();
  const std::string src = f.library() + "/plans/" + name;
  testing::FfmpegCopyOfSample(SampleKind::kP7Mel, src, extra);
  const std::string sha = testing::Sha256OfFile(src);
  const int64_t id = f.Enqueue(src);
  const json job = f.WaitDone(id);
  const std::string logs = f.Logs(id);
  INFO(job.dump(1) << "\n" << logs);
  REQUIRE(job["state"] == "completed");
  testing::CheckOutput(job["output"], {});
  CHECK(testing::Sha256OfFile(src) == sha);
  return logs;
}

TEST_CASE("dv-convert of an ffmpeg-written source: CRC-32 elements restated by the direct rewrite") {
  const std::string logs = ConvertFfmpegCopy("lavf no stats.mkv", testing::kFfmpegNoVideoStats);
  INFO(logs);
  CHECK(absl::StrContains(logs, "(direct rewrite: drop EL"));
  CHECK_FALSE(absl::StrContains(logs, "using the libavformat remux"));
}

TEST_CASE("dv-convert falls back to the libavformat remux where the direct rewrite does not fit") {
  SECTION("an ffmpeg copy (video statistics before the clusters) converts through the fallback") {
    const std::string logs = ConvertFfmpegCopy("lavf written.mkv", {});
    INFO(logs);
    CHECK(absl::StrContains(logs, "video statistics tags before the clusters"));
    CHECK(absl::StrContains(logs, "using the libavformat remux"));
  }
  SECTION("direct_rewrite = false always takes the libavformat remux") {
    Fleet().UseAgentConfig(Config("direct_rewrite = false\n"));
    Run run = RunSample(SampleKind::kP7Mel, "no direct.mkv");
    INFO(run.job.dump(1) << "\n" << run.logs);
    REQUIRE(run.job["state"] == "completed");
    CHECK(absl::StrContains(run.logs, "direct rewrite turned off"));
    CHECK_FALSE(absl::StrContains(run.logs, "(direct rewrite:"));
    testing::CheckOutput(run.output, {});
  }
}

}  // namespace
}  // namespace mkvfleet
