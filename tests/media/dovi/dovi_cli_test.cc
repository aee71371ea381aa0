// `mkvctl dovi ...` run as a subprocess on the real samples: every expected result of the samples'
// README that the CLI can reach, exact info fields, and clear one-line failures on bad input.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/media/dovi/cli_runner.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace {

namespace fs = std::filesystem;

std::string Rpu(const std::string& name) { return DoviSamplesDir() + "/rpu/" + name; }
std::string Hevc(const std::string& name) { return DoviSamplesDir() + "/hevc/" + name; }

// Runs mkvctl and requires success.
void Ok(const std::vector<std::string>& args) {
  CommandResult r = RunMkvctl(args);
  INFO("mkvctl " << args[0] << " " << args[1] << " stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
}

// Runs mkvctl and requires exit 1 with exactly one stderr line containing `needle`.
void FailsWith(const std::vector<std::string>& args, const std::string& needle) {
  CommandResult r = RunMkvctl(args);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 1);
  CHECK(CountLines(r.err) == 1);
  CHECK(r.err.find(needle) != std::string::npos);
}

bool SameFile(const std::string& a, const std::string& b) {
  return ReadFileOrFail(a) == ReadFileOrFail(b);
}

// No output and no leftover temporaries in `dir`.
void CheckDirEmpty(const std::string& dir) {
  for (const auto& e : fs::directory_iterator(dir)) FAIL("left behind: " << e.path());
}

TEST_CASE("extract-rpu from the MKV and the HEVC stream equals regular_rpu.bin") {
  std::string dir = MakeTempDir("dovi-cli");
  Ok({"dovi", "extract-rpu", Hevc("regular.mkv"), "-o", dir + "/mkv.bin"});
  CHECK(SameFile(dir + "/mkv.bin", Hevc("regular_rpu.bin")));
  Ok({"dovi", "extract-rpu", Hevc("regular.hevc"), "-o", dir + "/hevc.bin"});
  CHECK(SameFile(dir + "/hevc.bin", Hevc("regular_rpu.bin")));
}

TEST_CASE("convert-rpu reproduces every expected conversion") {
  struct Row {
    const char* in;
    int mode;
    const char* expected;
  };
  const std::vector<Row> rows = {
      {"fel_orig.bin", 1, "fel_to_mel.bin"},    {"fel_to_mel.bin", 2, "fel_to_81.bin"},
      {"fel_orig.bin", 5, "fel_to_81.bin"},     {"mel_orig.bin", 1, "mel_to_mel.bin"},
      {"mel_orig.bin", 2, "mel_to_81.bin"},     {"mel_to_81.bin", 1, "mel_orig.bin"},
      {"profile5.bin", 2, "profile8.bin"},      {"profile8.bin", 2, "profile8.bin"},
      {"profile8.bin", 4, "profile84.bin"},     {"profile5.bin", 4, "profile84.bin"},
      {"trailing_bytes_rpu.bin", 0, "trailing_bytes_rpu.bin"},
  };
  std::string dir = MakeTempDir("dovi-cli");
  for (const Row& row : rows) {
    std::string out = dir + "/out.bin";
    Ok({"dovi", "convert-rpu", Rpu(row.in), "-o", out, "--mode", std::to_string(row.mode)});
    INFO(row.in << " mode " << row.mode);
    CHECK(SameFile(out, Rpu(row.expected)));
  }
}

TEST_CASE("convert-rpu of a FEL to 8.1 gives a profile 8 RPU without EL") {
  std::string dir = MakeTempDir("dovi-cli");
  Ok({"dovi", "convert-rpu", Rpu("fel_orig.bin"), "-o", dir + "/81.bin", "--mode", "2"});
  nlohmann::json j = RunJson({MkvctlPath(), "dovi", "info", dir + "/81.bin", "--json"});
  CHECK(j["profile"] == 8);
  CHECK(j["el_type"].is_null());
  Ok({"dovi", "convert-rpu", Rpu("empty_dmv1_blocks.bin"), "-o", dir + "/e.bin", "--mode", "2"});
  j = RunJson({MkvctlPath(), "dovi", "info", dir + "/e.bin", "--json"});
  CHECK(j["profile"] == 8);
}

TEST_CASE("info --json gives exact fields on the samples") {
  nlohmann::json fel = RunJson({MkvctlPath(), "dovi", "info", "--json", Rpu("fel_orig.bin")});
  CHECK(fel["profile"] == 7);
  CHECK(fel["el_type"] == "FEL");
  CHECK(fel["rpus"] == 1);
  CHECK(fel["input"] == "RPU file");
  REQUIRE(fel["l1"].is_object());
  CHECK(fel["l1"]["frames"] == 1);

  nlohmann::json mel = RunJson({MkvctlPath(), "dovi", "info", "--json", Rpu("mel_orig.bin")});
  CHECK(mel["profile"] == 7);
  CHECK(mel["el_type"] == "MEL");

  nlohmann::json p5 = RunJson({MkvctlPath(), "dovi", "info", "--json", Rpu("profile5.bin")});
  CHECK(p5["profile"] == 5);
  CHECK(p5["el_type"].is_null());

  nlohmann::json p84 = RunJson({MkvctlPath(), "dovi", "info", "--json", Rpu("profile84.bin")});
  CHECK(p84["profile"] == 8);
  CHECK(p84["profile8_compatibility"] == 4);

  nlohmann::json cm40 = RunJson({MkvctlPath(), "dovi", "info", "--json", Rpu("cmv40_full_rpu.bin")});
  CHECK(cm40["cm_version"] == "4.0");
  nlohmann::json cm29 =
      RunJson({MkvctlPath(), "dovi", "info", "--json", Rpu("cmv2_9_xml_with_l5_rpu.bin")});
  CHECK(cm29["cm_version"] == "2.9");
  CHECK(cm29["rpus"].get<int>() > 1);

  nlohmann::json three =
      RunJson({MkvctlPath(), "dovi", "info", "--json", Rpu("p8_001_end_crc32.bin")});
  CHECK(three["rpus"] == 3);

  for (const char* name : {"regular.mkv", "regular.hevc", "regular_rpu.bin"}) {
    INFO(name);
    nlohmann::json j = RunJson({MkvctlPath(), "dovi", "info", "--json", Hevc(name)});
    CHECK(j["profile"] == 8);
    CHECK(j["profile8_compatibility"] == 1);
    CHECK(j["el_type"].is_null());
    CHECK(j["rpus"] == 259);
    REQUIRE(j["l1"].is_object());
    CHECK(j["l1"]["frames"] == 259);
    CHECK(j["l1"]["max_pq"]["min"] <= j["l1"]["max_pq"]["max"]);
  }
  nlohmann::json mkv = RunJson({MkvctlPath(), "dovi", "info", "--json", Hevc("regular.mkv")});
  CHECK(mkv["input"] == "Matroska file");
  CHECK(mkv["video"]["width"] == 256);
  CHECK(mkv["video"]["frame_rate"] == "24000/1001");
  CHECK(mkv["video"]["dovi_configuration"]["profile"] == 8);
  CHECK(mkv["video"]["dovi_configuration"]["bl_signal_compatibility_id"] == 1);
}

TEST_CASE("info in text form prints the same facts") {
  CommandResult r = RunMkvctl({"dovi", "info", Rpu("mel_orig.bin")});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("profile:     7") != std::string::npos);
  CHECK(r.out.find("el_type:     MEL") != std::string::npos);
  CHECK(r.out.find("rpus:        1") != std::string::npos);
  CHECK(r.out.find("l1 max_pq:") != std::string::npos);
}

TEST_CASE("stream verbs reproduce the expected streams") {
  std::string d = MakeTempDir("dovi-cli");
  Ok({"dovi", "inject-rpu", Hevc("regular_bl_start_code_4.hevc"), Hevc("regular_rpu.bin"), "-o",
      d + "/inject.hevc"});
  CHECK(SameFile(d + "/inject.hevc", Hevc("regular_start_code_4.hevc")));
  Ok({"dovi", "inject-rpu", Hevc("no_aud_bl.hevc"), Hevc("regular_rpu.bin"), "-o",
      d + "/noaud.hevc", "--no-add-aud"});
  CHECK(SameFile(d + "/noaud.hevc", Hevc("no_aud_injected.hevc")));
  Ok({"dovi", "inject-rpu", Hevc("regular_bl_start_code_4.hevc"), Hevc("regular_rpu.bin"), "-o",
      d + "/annexb.hevc", "--annexb"});
  CHECK(SameFile(d + "/annexb.hevc", Hevc("regular_inject_annexb.hevc")));

  Ok({"dovi", "demux", Hevc("regular_start_code_4_muxed_el.hevc"), "--bl-out", d + "/bl.hevc",
      "--el-out", d + "/el.hevc"});
  CHECK(SameFile(d + "/bl.hevc", Hevc("regular_bl_start_code_4.hevc")));
  CHECK(SameFile(d + "/el.hevc", Hevc("regular_start_code_4.hevc")));

  Ok({"dovi", "convert", Hevc("regular_start_code_4_muxed_el.hevc"), "-o", d + "/drop.hevc",
      "--discard"});
  CHECK(SameFile(d + "/drop.hevc", Hevc("regular_start_code_4.hevc")));
  Ok({"dovi", "remove", Hevc("regular_start_code_4_muxed_el.hevc"), "-o", d + "/rm.hevc"});
  CHECK(SameFile(d + "/rm.hevc", Hevc("regular_bl_start_code_4.hevc")));
  Ok({"dovi", "remove", Hevc("regular_start_code_4_muxed_el.hevc"), "-o", d + "/rmb.hevc",
      "--annexb"});
  CHECK(SameFile(d + "/rmb.hevc", Hevc("regular_demux_bl_annexb.hevc")));

  Ok({"dovi", "mux", "--bl", Hevc("regular_bl_start_code_4.hevc"), "--el", Hevc("regular.hevc"),
      "-o", d + "/mux.hevc"});
  CHECK(SameFile(d + "/mux.hevc", Hevc("regular_start_code_4_muxed_el.hevc")));
  Ok({"dovi", "mux", "--bl", Hevc("regular_bl_start_code_4.hevc"), "--el", Hevc("regular.hevc"),
      "-o", d + "/eos.hevc", "--discard-eos"});
  CHECK(SameFile(d + "/eos.hevc", Hevc("regular_start_code_4_muxed_el_removed_eos.hevc")));
  Ok({"dovi", "mux", "--bl", Hevc("no_aud_bl.hevc"), "--el", Hevc("no_aud_injected.hevc"), "-o",
      d + "/noaudmux.hevc", "--no-add-aud"});
  CHECK(SameFile(d + "/noaudmux.hevc", Hevc("no_aud_muxed.hevc")));
}

TEST_CASE("convert --discard --mode 2 turns the muxed stream into profile 8.1") {
  std::string d = MakeTempDir("dovi-cli");
  Ok({"dovi", "convert", Hevc("regular_start_code_4_muxed_el.hevc"), "-o", d + "/81.hevc",
      "--discard", "--mode", "2"});
  nlohmann::json j = RunJson({MkvctlPath(), "dovi", "info", "--json", d + "/81.hevc"});
  CHECK(j["profile"] == 8);
  CHECK(j["rpus"] == 259);
}

TEST_CASE("a failing mux names both frame counts and writes nothing") {
  std::string d = MakeTempDir("dovi-cli");
  FailsWith({"dovi", "mux", "--bl", Hevc("regular_bl_start_code_4_shorter.hevc"), "--el",
             Hevc("regular.hevc"), "-o", d + "/out.hevc"},
            "258");
  CommandResult r = RunMkvctl({"dovi", "mux", "--bl", Hevc("regular_bl_start_code_4_shorter.hevc"),
                               "--el", Hevc("regular.hevc"), "-o", d + "/out.hevc"});
  CHECK(r.err.find("259") != std::string::npos);
  CheckDirEmpty(d);
}

TEST_CASE("bad input exits 1 with one line naming the file and the problem") {
  std::string d = MakeTempDir("dovi-cli");
  const std::string missing = d + "/missing.mkv";
  FailsWith({"dovi", "info", missing}, missing + ": no such file");
  FailsWith({"dovi", "extract-rpu", missing, "-o", d + "/x.bin"}, "no such file");

  const std::string text = d + "/notes.mkv";
  std::ofstream(text) << "hello, this is not a video\n";
  FailsWith({"dovi", "info", text}, text + ": not an RPU file, HEVC stream or Matroska file");
  const std::string empty = d + "/empty.bin";
  std::ofstream{empty};
  FailsWith({"dovi", "info", empty}, "empty file");

  // Half an RPU: the parser must refuse it.
  std::string fel = ReadFileOrFail(Rpu("fel_orig.bin"));
  const std::string cut = d + "/cut.bin";
  std::ofstream(cut, std::ios::binary) << fel.substr(0, fel.size() / 2);
  FailsWith({"dovi", "info", cut}, cut + ": RPU 1: ");
  FailsWith({"dovi", "convert-rpu", cut, "-o", d + "/o.bin", "--mode", "2"}, "RPU 1: ");

  // A truncated MKV still names the file.
  std::string mkv = ReadFileOrFail(Hevc("regular.mkv"));
  const std::string short_mkv = d + "/short.mkv";
  std::ofstream(short_mkv, std::ios::binary) << mkv.substr(0, 1000);
  FailsWith({"dovi", "extract-rpu", short_mkv, "-o", d + "/o.bin"}, short_mkv);

  FailsWith({"dovi", "info", Rpu("st2094_10_level3.bin")}, "st2094_10_level3.bin: RPU 1: ");
  FailsWith({"dovi", "convert-rpu", Hevc("regular.hevc"), "-o", d + "/o.bin", "--mode", "2"},
            "not an RPU file");
  FailsWith({"dovi", "inject-rpu", Hevc("regular.mkv"), Hevc("regular_rpu.bin"), "-o",
             d + "/o.hevc"},
            "is a Matroska file, not a HEVC stream");

  std::filesystem::remove(text);
  std::filesystem::remove(empty);
  std::filesystem::remove(cut);
  std::filesystem::remove(short_mkv);
  CheckDirEmpty(d);
}

}  // namespace
}  // namespace mkvfleet::testing
