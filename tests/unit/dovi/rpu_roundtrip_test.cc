// Every real RPU sample parses and writes back byte for byte (the documented exception being the
// unescaped CRC of p8_001_end_crc32.bin), and the invalid sample fails with a clear message.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/dovi/rpu.h"
#include "common/dovi/rpu_file_bytes.h"
#include "tests/unit/dovi/dovi_test_util.h"

namespace mkvfleet::dovi {
namespace {

using testing::Hex;
using testing::ReadRpuSample;
using testing::SamplePayloads;

const char* const kValidSamples[] = {
    "profile4.bin",
    "profile5.bin",
    "profile8.bin",
    "profile84.bin",
    "profile20_apple.bin",
    "empty_dmv1_blocks.bin",
    "fel_orig.bin",
    "fel_to_mel.bin",
    "fel_to_81.bin",
    "mel_orig.bin",
    "mel_to_mel.bin",
    "mel_to_81.bin",
    "data_before_crc32.bin",
    "fix_se_write.bin",
    "eof_rpu.bin",
    "trailing_bytes_rpu.bin",
    "source_rpu_replaced_fel_orig.bin",
    "unordered_l8_blocks.bin",
    "cmv40_full_rpu.bin",
    "cmv2_9_xml_with_l5_rpu.bin",
    "cmv4_0_2_custom_displays_xml_rpu.bin",
    "cmv4_0_2_xml_rpu.bin",
    "cmv4_0_2_xml_with_l5_rpu.bin",
    "cmv4_2_510_xml_rpu.bin",
    "source_p5_to_p8_001_end_crc32.bin",
};

// Parses every RPU of `file_bytes`, writes each back and rebuilds the file.
std::vector<uint8_t> RewriteFile(const std::string& name, const std::vector<uint8_t>& file_bytes) {
  auto payloads = ParseRpuFile(file_bytes);
  REQUIRE(payloads.ok());
  std::vector<uint8_t> out;
  for (size_t i = 0; i < payloads->size(); ++i) {
    INFO(name << " RPU #" << i);
    auto rpu = ParseRpu((*payloads)[i]);
    INFO(rpu.status().ToString());
    REQUIRE(rpu.ok());
    auto written = WriteRpu(*rpu);
    INFO(written.status().ToString());
    REQUIRE(written.ok());
    AppendRpuToFile(out, *written);
  }
  return out;
}

TEST_CASE("Every valid RPU sample round-trips byte for byte", "[dovi][roundtrip]") {
  for (const char* name : kValidSamples) {
    INFO(name);
    const std::vector<uint8_t> file = ReadRpuSample(name);
    const std::vector<uint8_t> rewritten = RewriteFile(name, file);
    CHECK(rewritten.size() == file.size());
    if (rewritten != file) {
      size_t i = 0;
      while (i < file.size() && i < rewritten.size() && file[i] == rewritten[i]) ++i;
      FAIL_CHECK(name << ": first difference at offset " << i);
    }
  }
}

TEST_CASE("Multi-RPU samples hold the documented number of RPUs", "[dovi][roundtrip]") {
  CHECK(SamplePayloads("p8_001_end_crc32.bin").size() == 3);
  CHECK(SamplePayloads("profile8.bin").size() == 1);
  CHECK(SamplePayloads("cmv4_0_2_xml_rpu.bin").size() > 100);
}

TEST_CASE("p8_001_end_crc32.bin: the rewrite escapes the first CRC, nothing else changes",
          "[dovi][roundtrip]") {
  const std::vector<uint8_t> file = ReadRpuSample("p8_001_end_crc32.bin");
  REQUIRE(file.size() > 163);
  // The stored CRC D8 00 00 01 lacks its emulation-prevention byte.
  CHECK(Hex(absl::MakeConstSpan(file).subspan(159, 5)) == "D8 00 00 01 80");
  std::vector<uint8_t> expected = file;
  expected.insert(expected.begin() + 162, 0x03);
  const std::vector<uint8_t> rewritten = RewriteFile("p8_001_end_crc32.bin", file);
  CHECK(rewritten == expected);
}

TEST_CASE("st2094_10_level3.bin fails: level 3 is a CM v4.0 level inside the CM v2.9 list",
          "[dovi][roundtrip]") {
  auto payloads = SamplePayloads("st2094_10_level3.bin");
  REQUIRE(payloads.size() == 1);
  auto rpu = ParseRpu(payloads[0]);
  REQUIRE_FALSE(rpu.ok());
  CHECK(rpu.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(rpu.status().message()) ==
        "RPU: level 3 extension block not allowed in CM v2.9");
}

}  // namespace
}  // namespace mkvfleet::dovi
