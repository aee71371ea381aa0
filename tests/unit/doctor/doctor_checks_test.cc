// The doctor's pure checks on literal tool output and injected facts, plus the report format.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "common/doctor/check_report.h"
#include "common/doctor/host_checks.h"
#include "common/doctor/tool_checks.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::doctor {
namespace {

// Debian 12's x265 3.5 (multi-lib).
constexpr const char* kX265Version =
    "x265 [info]: HEVC encoder version 3.5+1-f0c1022b6\n"
    "x265 [info]: build info [Linux][GCC 12.2.0][64 bit] 8bit+10bit+12bit\n"
    "x265 [info]: using cpu capabilities: MMX2 SSE2Fast LZCNT SSSE3 SSE4.2 AVX FMA3 BMI2 AVX2\n";
constexpr const char* kX265Help =
    "-D/--output-depth 8|10|12        Output bit depth (also internal bit depth). Default 8\n"
    "   --dolby-vision-profile <float|integer> Specifies Dolby Vision profile ID.\n"
    "   --dolby-vision-rpu <filename> File containing Dolby Vision RPU metadata.\n";

ToolProbe X265Probe(std::string version, std::string help) {
  return ToolProbe{"x265", "x265", "/usr/bin/x265", "", std::move(version), std::move(help)};
}

TEST_CASE("x265 features from build info and help") {
  X265Features f = ParseX265Features(kX265Version, kX265Help);
  CHECK(f.build_info_found);
  CHECK(f.depth8);
  CHECK(f.depth10);
  CHECK(f.depth12);
  CHECK(f.dolby_vision);

  f = ParseX265Features("x265 [info]: build info [Linux][GCC 9.3.0][64 bit] 8bit\n", "--preset");
  CHECK(f.build_info_found);
  CHECK(f.depth8);
  CHECK_FALSE(f.depth10);
  CHECK_FALSE(f.dolby_vision);

  f = ParseX265Features("x265 [info]: build info [Linux][GCC 12][64 bit] 10bit\n", "");
  CHECK(f.depth10);
  CHECK_FALSE(f.depth8);
  CHECK_FALSE(ParseX265Features("HEVC encoder version 3.5", "").build_info_found);
}

TEST_CASE("x265 check: ok only with 10-bit and Dolby Vision") {
  CheckLine ok = CheckTool(X265Probe(kX265Version, kX265Help));
  CHECK(ok.severity == Severity::kOk);
  CHECK(ok.message == "3.5+1-f0c1022b6 at /usr/bin/x265 (10-bit, Dolby Vision)");

  CheckLine eight = CheckTool(
      X265Probe("HEVC encoder version 3.4\nbuild info [Linux][GCC 9][64 bit] 8bit\n", kX265Help));
  CHECK(eight.severity == Severity::kError);
  CHECK(absl::StrContains(eight.message, "no 10-bit (main10)"));

  CheckLine no_dv = CheckTool(X265Probe(kX265Version, "--preset <string>\n"));
  CHECK(no_dv.severity == Severity::kError);
  CHECK(absl::StrContains(no_dv.message, "no Dolby Vision support"));
  CHECK_FALSE(no_dv.advice.empty());

  CheckLine unknown_depth = CheckTool(X265Probe("HEVC encoder version 3.5\n", kX265Help));
  CHECK(unknown_depth.severity == Severity::kWarning);
}

TEST_CASE("tool check: missing, configured path wrong, not running, unknown banner, ok") {
  CheckLine missing = CheckTool(ToolProbe{"mkvmerge", "mkvmerge", "", "", "", ""});
  CHECK(missing.severity == Severity::kError);
  CHECK(missing.check == "tool mkvmerge");
  CHECK(missing.message == "mkvmerge not found on PATH");
  CHECK(absl::StrContains(missing.advice, "apt install mkvtoolnix"));

  CheckLine bad_path = CheckTool(ToolProbe{"ffmpeg", "/opt/ff/ffmpeg", "", "", "", ""});
  CHECK(bad_path.severity == Severity::kError);
  CHECK(absl::StrContains(bad_path.message, "/opt/ff/ffmpeg"));
  CHECK(absl::StrContains(bad_path.advice, "tools.ffmpeg"));

  CheckLine broken =
      CheckTool(ToolProbe{"ffprobe", "ffprobe", "/usr/bin/ffprobe", "killed by signal 11", "", ""});
  CHECK(broken.severity == Severity::kError);
  CHECK(absl::StrContains(broken.message, "does not run"));

  CheckLine odd = CheckTool(
      ToolProbe{"mediainfo", "mediainfo", "/usr/bin/mediainfo", "", "something else entirely", ""});
  CHECK(odd.severity == Severity::kWarning);

  CheckLine fine = CheckTool(ToolProbe{"mediainfo", "mediainfo", "/usr/bin/mediainfo", "",
                                       "MediaInfo Command line, \nMediaInfoLib - v23.04\n", ""});
  CHECK(fine.severity == Severity::kOk);
  CHECK(fine.message == "23.04 at /usr/bin/mediainfo");
}

TEST_CASE("free space thresholds") {
  CHECK(CheckFreeSpace("work dir", "/w", int64_t{1} << 30).severity == Severity::kError);
  CHECK(CheckFreeSpace("work dir", "/w", int64_t{10} << 30).severity == Severity::kWarning);
  CheckLine ok = CheckFreeSpace("work dir", "/w", int64_t{200} << 30);
  CHECK(ok.severity == Severity::kOk);
  CHECK(ok.message == "200.0 GiB free in /w");
  CheckLine gone = CheckFreeSpace("work dir", "/w", absl::NotFoundError("cannot stat /w"));
  CHECK(gone.severity == Severity::kError);
  CHECK(gone.message == "cannot stat /w");
}

TEST_CASE("library root: missing, file, unreadable, empty, marker, mounted") {
  DirFacts f;
  f.error = "no such file or directory";
  CHECK(CheckLibraryRoot("/lib", "", f).severity == Severity::kError);
  f = DirFacts{true, false, false, true, false, ""};
  CHECK(CheckLibraryRoot("/lib", "", f).message == "not a folder");
  f = DirFacts{true, true, false, true, false, "permission denied"};
  CHECK(absl::StrContains(CheckLibraryRoot("/lib", "", f).message, "permission denied"));
  f = DirFacts{true, true, true, true, false, ""};
  CHECK(CheckLibraryRoot("/lib", "", f).message == "empty: looks unmounted");
  f = DirFacts{true, true, true, false, false, ""};
  CHECK(CheckLibraryRoot("/lib", "", f).severity == Severity::kOk);
  CheckLine no_marker = CheckLibraryRoot("/lib", ".mkvfleet", f);
  CHECK(no_marker.severity == Severity::kError);
  CHECK(absl::StrContains(no_marker.message, "marker file .mkvfleet missing"));
  f.marker_found = true;
  CHECK(CheckLibraryRoot("/lib", ".mkvfleet", f).severity == Severity::kOk);
}

TEST_CASE("InspectDir sees emptiness and the marker on real folders") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / "mkvfleet_doctor_inspect";
  fs::remove_all(root);
  fs::create_directories(root);
  DirFacts empty = InspectDir(root.string(), ".marker");
  CHECK(empty.exists);
  CHECK(empty.readable);
  CHECK(empty.empty);
  std::ofstream(root / ".marker") << "";
  DirFacts marked = InspectDir(root.string(), ".marker");
  CHECK_FALSE(marked.empty);
  CHECK(marked.marker_found);
  CHECK_FALSE(InspectDir((root / "nope").string(), "").exists);
  fs::remove_all(root);
}

TEST_CASE("clock skew uses the middle of the round trip") {
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  CHECK(EstimateClockSkew(t0, t0 + absl::Seconds(2), t0 + absl::Seconds(1)) ==
        absl::ZeroDuration());
  CHECK(EstimateClockSkew(t0, t0, t0 - absl::Seconds(5)) == -absl::Seconds(5));
  CHECK(CheckClockSkew(t0, t0 + absl::Milliseconds(4), t0 + absl::Milliseconds(2)).severity ==
        Severity::kOk);
  CheckLine behind = CheckClockSkew(t0, t0, t0 - absl::Seconds(5));
  CHECK(behind.severity == Severity::kWarning);
  CHECK(absl::StrContains(behind.message, "5s behind"));
  CHECK(CheckClockSkew(t0, t0, t0 + absl::Minutes(3)).severity == Severity::kError);
}

TEST_CASE("coordinator call: unreachable, token wrong or missing, wrong kind, accepted") {
  auto down =
      CheckCoordinatorCall("h:1", TokenRole::kAgent, true, absl::UnavailableError("refused"));
  REQUIRE(down.size() == 1);
  CHECK(down[0].severity == Severity::kError);
  CHECK(absl::StrContains(down[0].message, "cannot reach h:1"));

  auto wrong =
      CheckCoordinatorCall("h:1", TokenRole::kAgent, true, absl::UnauthenticatedError("bad token"));
  REQUIRE(wrong.size() == 2);
  CHECK(wrong[0].severity == Severity::kOk);
  CHECK(wrong[1].check == "token");
  CHECK(wrong[1].severity == Severity::kError);
  CHECK(absl::StrContains(wrong[1].message, "refused the agent token (wrong token)"));
  CHECK(absl::StrContains(wrong[1].advice, "MKVFLEET_AGENT_TOKEN"));

  auto none =
      CheckCoordinatorCall("h:1", TokenRole::kAdmin, false, absl::UnauthenticatedError("missing"));
  CHECK(absl::StrContains(none[1].message, "admin token (none set)"));

  auto kind = CheckCoordinatorCall("h:1", TokenRole::kAdmin, true,
                                   absl::PermissionDeniedError("agent token on admin API"));
  CHECK(kind[1].severity == Severity::kError);
  CHECK(absl::StrContains(kind[1].advice, "not the agent token"));

  auto ok = CheckCoordinatorCall("h:1", TokenRole::kAdmin, true, absl::OkStatus());
  CHECK(ok[1].severity == Severity::kOk);
  CHECK(ok[1].message == "admin token accepted");
}

TEST_CASE("report: text lines, JSON document, exit code") {
  std::vector<CheckLine> lines = {Ok("tool ffmpeg", "5.1 at /usr/bin/ffmpeg"),
                                  Warning("library", "not checked", "pass --library")};
  CHECK(ExitCode(lines) == 0);
  const std::string text = FormatText(lines);
  CHECK(absl::StrContains(text, "ok       tool ffmpeg: 5.1 at /usr/bin/ffmpeg\n"));
  CHECK(absl::StrContains(text, "warning  library: not checked\n         -> pass --library\n"));
  CHECK(absl::StrContains(text, "1 ok, 1 warning, 0 errors"));
  lines.push_back(Error("token", "refused", "set it"));
  CHECK(ExitCode(lines) == 1);
  nlohmann::json doc = nlohmann::json::parse(FormatJson(lines));
  CHECK(doc["errors"] == 1);
  CHECK(doc["checks"].size() == 3);
  CHECK(doc["checks"][2]["status"] == "error");
  CHECK(doc["checks"][2]["advice"] == "set it");
}

}  // namespace
}  // namespace mkvfleet::doctor
