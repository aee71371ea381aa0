// `mkvctl dovi analyze` on real generated dual-layer MKVs (`gen-sample`, 256x144, 48 frames): an
// FEL is decoded and its EL changes the composed picture, a MEL is decided from its RPUs without
// decoding, an HDR10 title has no EL verdict, junk fails with one line naming the file.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <string>

#include "tests/media/dovi/cli_runner.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace {

// The generated sample of `kind` (made once per test run).
std::string Sample(const std::string& kind) {
  static std::map<std::string, std::string> made;
  static const std::string dir = MakeTempDir("dovi-analyze");
  auto it = made.find(kind);
  if (it != made.end()) return it->second;
  const std::string mkv = dir + "/" + kind + ".mkv";
  CommandResult r = RunMkvctl({"gen-sample", "--kind", kind, "-o", mkv, "--quiet"});
  INFO("gen-sample stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return made[kind] = mkv;
}

nlohmann::json Analyze(const std::string& mkv, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {MkvctlPath(), "dovi", "analyze", mkv, "--json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunJson(argv);
}

TEST_CASE("dovi analyze decodes an FEL and measures what its EL changes") {
  const nlohmann::json j = Analyze(Sample("p7-fel"), {"--samples", "4"});
  INFO(j.dump(2));
  CHECK(j["el_type"] == "FEL");
  CHECK((j["fel_class"] == "simple" || j["fel_class"] == "complex"));
  CHECK(j["profile"] == 7);
  CHECK(j["frame_count"] == 48);
  CHECK(j["samples"] == 4);
  CHECK(j["decoded"] == true);
  // The middle of each quarter of 48 frames, found by seeking.
  CHECK(j["frames_sampled"] == nlohmann::json({6, 18, 30, 42}));
  REQUIRE(j["frames"].size() == 4);
  CHECK(j["frames"][0]["frame"] == 6);
  // The EL is an encoded picture, not a neutral residual: composing with it changes pixels.
  const double changed = j["changed_pixels_share"];
  const double visible = j["visible_pixels_share"];
  CHECK(changed > 0);
  CHECK(changed <= 1);
  CHECK(visible <= changed);
  CHECK(j["max_change_pq"].get<double>() > 1);
  CHECK(j["max_change_pq"].get<double>() <= 1023);
  CHECK(j["max_change_nits"].get<double>() > 0);
  CHECK(j["max_change_nits"].get<double>() <= 10000);
  CHECK(j["thresholds"]["visible_code_values"] == 8);
  CHECK(j["reason"].get<std::string>().find("10-bit code values") != std::string::npos);
}

TEST_CASE("dovi analyze calls a MEL mel from its RPUs, without decoding") {
  const nlohmann::json j = Analyze(Sample("p7-mel"));
  INFO(j.dump(2));
  CHECK(j["el_type"] == "MEL");
  CHECK(j["fel_class"] == "mel");
  CHECK(j["decoded"] == false);
  CHECK(j["samples"] == 12);
  CHECK(j["frames_sampled"] == nlohmann::json({2, 6, 10, 14, 18, 22, 26, 30, 34, 38, 42, 46}));
  CHECK(j["changed_pixels_share"].is_null());
  CHECK(j["frames"].empty());

  CommandResult r = RunMkvctl({"dovi", "analyze", Sample("p7-mel"), "--samples", "2"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("MEL, mel: ", 0) == 0);  // the verdict line first
  CHECK(r.out.find("frames sampled:  2 of 48 (12, 36)") != std::string::npos);
}

TEST_CASE("dovi analyze: no EL verdict for HDR10, one-line errors for junk") {
  const nlohmann::json j = Analyze(Sample("hdr10"), {"--samples", "3"});
  INFO(j.dump(2));
  CHECK(j["el_type"].is_null());
  CHECK(j["fel_class"].is_null());
  CHECK(j["frames_sampled"].size() == 3);
  CHECK(j["reason"].get<std::string>().find("not a Dolby Vision title") != std::string::npos);

  const std::string dir = MakeTempDir("dovi-analyze-junk");
  const std::string junk = dir + "/junk.mkv";
  std::ofstream(junk) << "not a video";
  CommandResult r = RunMkvctl({"dovi", "analyze", junk});
  CHECK(r.exit_code == 1);
  CHECK(CountLines(r.err) == 1);
  CHECK(r.err.find(junk) != std::string::npos);
  CHECK(r.out.empty());

  r = RunMkvctl({"dovi", "analyze", junk, "--samples", "0"});
  CHECK(r.exit_code != 0);
}

}  // namespace
}  // namespace mkvfleet::testing
