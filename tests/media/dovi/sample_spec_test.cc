// The generator's pure parts: kind names, size parsing, limits, and the side files and command
// lines it builds (no tool is run here).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/dovi/rpu.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/samplegen/sample_commands.h"
#include "common/samplegen/sample_rpus.h"
#include "common/samplegen/sample_spec.h"

namespace mkvfleet::samplegen {
namespace {

bool Has(const Argv& argv, const std::string& a, const std::string& b) {
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == a && argv[i + 1] == b) return true;
  }
  return false;
}

TEST_CASE("kind names round-trip and unknown kinds are refused") {
  for (const char* name : {"p7-mel", "p7-fel", "p8.1", "hdr10", "sdr"}) {
    auto kind = ParseSampleKind(name);
    REQUIRE(kind.ok());
    CHECK(SampleKindName(*kind) == name);
  }
  auto bad = ParseSampleKind("p5");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("'p5'") != std::string::npos);
}

TEST_CASE("sizes parse and limits are enforced") {
  int w = 0, h = 0;
  REQUIRE(ParseFrameSize("3840x2160", w, h).ok());
  CHECK(w == 3840);
  CHECK(h == 2160);
  CHECK_FALSE(ParseFrameSize("3840", w, h).ok());
  CHECK_FALSE(ParseFrameSize("axb", w, h).ok());
  SampleSpec s;
  CHECK(ValidateSampleSpec(s).ok());
  s.width = 250;
  CHECK(ValidateSampleSpec(s).message().find("multiples of 4") != std::string::npos);
  s.width = 32;
  CHECK_FALSE(ValidateSampleSpec(s).ok());
  s = SampleSpec();
  s.seconds = 0;
  CHECK_FALSE(ValidateSampleSpec(s).ok());
  s = SampleSpec();
  s.x265_preset = "warp";
  CHECK_FALSE(ValidateSampleSpec(s).ok());
}

TEST_CASE("x265 command lines carry HDR10 and Dolby Vision settings") {
  SampleSpec spec;
  X265Layer layer{256, 144, true, true, "/tmp/rpu.bin"};
  Argv a = X265Args(spec, layer, "/tmp/out.hevc");
  CHECK(a[0] == "x265");
  CHECK(Has(a, "--dolby-vision-profile", "8.1"));
  CHECK(Has(a, "--dolby-vision-rpu", "/tmp/rpu.bin"));
  CHECK(Has(a, "--transfer", "smpte2084"));
  CHECK(Has(a, "--master-display", kMasterDisplay));
  CHECK(Has(a, "--frames", "48"));
  CHECK(std::find(a.begin(), a.end(), "--vbv-maxrate") != a.end());
  X265Layer sdr{256, 144, false, false, ""};
  Argv b = X265Args(spec, sdr, "/tmp/out.hevc");
  CHECK(Has(b, "--transfer", "bt709"));
  CHECK(Has(b, "--output-depth", "8"));
  CHECK(std::find(b.begin(), b.end(), "--dolby-vision-profile") == b.end());
}

TEST_CASE("subtitles and chapters cover the sample") {
  SampleSpec spec;
  spec.seconds = 3;
  std::string srt = SampleSubtitlesSrt(spec);
  CHECK(srt.find("1\n00:00:00,000 --> 00:00:00,900\n") == 0);
  CHECK(srt.find("3\n00:00:02,000 --> 00:00:02,900\n") != std::string::npos);
  CHECK(SampleChaptersOgm(spec) ==
        "CHAPTER01=00:00:00.000\nCHAPTER01NAME=Opening\n"
        "CHAPTER02=00:00:01.500\nCHAPTER02NAME=Middle\n");
}

TEST_CASE("per-frame RPU files have one RPU per frame with changing L1") {
  auto rpus = BuildSampleRpuFile(SampleKind::kP7Mel, 5);
  REQUIRE(rpus.ok());
  int starts = 0;
  for (size_t i = 0; i + 4 < rpus->size(); ++i) {
    if ((*rpus)[i] == 0 && (*rpus)[i + 1] == 0 && (*rpus)[i + 2] == 0 && (*rpus)[i + 3] == 1 &&
        (*rpus)[i + 4] == 0x19) {
      ++starts;
    }
  }
  CHECK(starts == 5);
  CHECK(SampleLevel1(0).max_pq != SampleLevel1(1).max_pq);
  for (int f = 0; f < 200; ++f) {
    auto l1 = SampleLevel1(f);
    CHECK(l1.min_pq <= l1.avg_pq);
    CHECK(l1.avg_pq <= l1.max_pq);
    CHECK(l1.max_pq < 4096);
  }
  CHECK_FALSE(BuildSampleRpuFile(SampleKind::kHdr10, 5).ok());
}

// The frames whose RPU has scene_refresh_flag set, and whether every RPU is distinct.
std::vector<int> SceneFlags(const std::vector<uint8_t>& file, bool* distinct) {
  auto payloads = dovi::ParseRpuFile(file);
  REQUIRE(payloads.ok());
  std::vector<int> flagged;
  std::set<std::vector<uint8_t>> seen;
  for (size_t f = 0; f < payloads->size(); ++f) {
    auto rpu = dovi::ParseRpu((*payloads)[f]);
    REQUIRE(rpu.ok());
    REQUIRE(rpu->vdr_dm_data.has_value());
    if (rpu->vdr_dm_data->scene_refresh_flag != 0) flagged.push_back(static_cast<int>(f));
    seen.emplace((*payloads)[f].begin(), (*payloads)[f].end());
  }
  *distinct = seen.size() == payloads->size();
  return flagged;
}

TEST_CASE("scene starts: scene_refresh_flag on frames 0, N, 2N ... only, RPUs still distinct") {
  for (SampleKind kind : {SampleKind::kP81, SampleKind::kP7Mel, SampleKind::kP7Fel}) {
    INFO(SampleKindName(kind));
    bool distinct = false;
    auto every24 = BuildSampleRpuFile(kind, 72, 24);
    REQUIRE(every24.ok());
    CHECK(SceneFlags(*every24, &distinct) == std::vector<int>{0, 24, 48});
    CHECK(distinct);
    // Default: one scene, from frame 0.
    auto one = BuildSampleRpuFile(kind, 72);
    REQUIRE(one.ok());
    CHECK(SceneFlags(*one, &distinct) == std::vector<int>{0});
    CHECK(distinct);
  }
  bool distinct = false;
  auto odd = BuildSampleRpuFile(SampleKind::kP81, 10, 3);
  REQUIRE(odd.ok());
  CHECK(SceneFlags(*odd, &distinct) == std::vector<int>{0, 3, 6, 9});
  CHECK_FALSE(BuildSampleRpuFile(SampleKind::kP81, 10, -1).ok());

  SampleSpec spec;
  spec.scene_every = 24;
  CHECK(spec.IsSceneStart(0));
  CHECK(spec.IsSceneStart(48));
  CHECK_FALSE(spec.IsSceneStart(47));
  CHECK(ValidateSampleSpec(spec).ok());
  spec.scene_every = -2;
  CHECK_THAT(std::string(ValidateSampleSpec(spec).message()), Catch::Contains("negative"));
}

TEST_CASE("RPU defects: which frames lose or double their RPU, and what is refused") {
  SampleSpec spec;
  spec.kind = SampleKind::kP7Mel;
  spec.drop_rpus = {5, 47};
  spec.duplicate_rpus = {10};
  CHECK(spec.HasRpuDefects());
  CHECK(ValidateSampleSpec(spec).ok());
  CHECK(spec.RpuCopies(5) == 0);
  CHECK(spec.RpuCopies(10) == 2);
  CHECK(spec.RpuCopies(6) == 1);

  SampleSpec outside = spec;
  outside.drop_rpus = {48};  // 2 s at 24 fps: frames 0 .. 47
  CHECK_THAT(std::string(ValidateSampleSpec(outside).message()),
             Catch::Contains("frame 48 is outside the sample's 48 frames (0 .. 47)"));
  SampleSpec both = spec;
  both.duplicate_rpus = {5};
  CHECK_THAT(std::string(ValidateSampleSpec(both).message()),
             Catch::Contains("frame 5 cannot both lose its RPU and carry it twice"));
  SampleSpec hdr10 = spec;
  hdr10.kind = SampleKind::kHdr10;
  CHECK_THAT(std::string(ValidateSampleSpec(hdr10).message()),
             Catch::Contains("RPU defects need a Dolby Vision kind"));
}

}  // namespace
}  // namespace mkvfleet::samplegen
