// Malformed input never crashes: every truncation of every sample, single-bit flips (with and
#include <filesystem>
// without a repaired CRC) and random bytes give an error or a valid Rpu, and whatever parses
// writes back to the same bytes.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/bits/emulation_prevention.h"
#include "common/dovi/crc32.h"
#include "common/dovi/rpu_convert.h"
#include "common/dovi/rpu_file_bytes.h"
#include "tests/test_paths.h"
#include "tests/unit/dovi/dovi_test_util.h"

namespace mkvfleet::dovi {
namespace {

using testing::SamplePayloads;

const char* const kSamples[] = {
    "profile4.bin",
    "profile5.bin",
    "profile8.bin",
    "profile84.bin",
    "profile20_apple.bin",
    "empty_dmv1_blocks.bin",
    "fel_orig.bin",
    "mel_orig.bin",
    "data_before_crc32.bin",
    "fix_se_write.bin",
    "eof_rpu.bin",
    "trailing_bytes_rpu.bin",
    "unordered_l8_blocks.bin",
    "cmv40_full_rpu.bin",
    "p8_001_end_crc32.bin",
    "st2094_10_level3.bin",
};

// Parses `payload`; when it parses, writing, converting and re-parsing must all behave. Returns
// whether it parsed.
bool ExerciseParser(absl::Span<const uint8_t> payload) {
  auto rpu = ParseRpu(payload);
  if (!rpu.ok()) {
    CHECK_FALSE(rpu.status().message().empty());
    return false;
  }
  auto written = WriteRpu(*rpu);
  CHECK(written.ok());
  for (ConversionMode mode : {ConversionMode::kToMel, ConversionMode::kTo81, ConversionMode::kTo84,
                              ConversionMode::kTo81KeepMapping}) {
    Rpu copy = *rpu;
    if (ConvertRpu(copy, mode).ok()) {
      auto converted = WriteRpu(copy);
      if (converted.ok()) CHECK(ParseRpu(*converted).ok());
    }
  }
  return true;
}

// `payload` with one bit of the unescaped body flipped, the CRC recomputed and the bytes
// re-escaped, so the damage reaches the parser behind the CRC check.
std::vector<uint8_t> FlipWithValidCrc(absl::Span<const uint8_t> payload, size_t bit) {
  std::vector<uint8_t> rbsp = bits::RemoveEmulationPrevention(payload);
  size_t end = rbsp.size();
  while (end > 0 && rbsp[end - 1] == 0) --end;
  const size_t crc_at = end - 5;
  rbsp[1 + bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
  const uint32_t crc = Crc32Mpeg2(absl::MakeConstSpan(rbsp.data() + 1, crc_at - 1));
  for (int i = 0; i < 4; ++i) rbsp[crc_at + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  return bits::AddEmulationPrevention(rbsp);
}

TEST_CASE("Every truncation of every sample fails cleanly", "[dovi][robust]") {
  for (const char* name : kSamples) {
    INFO(name);
    for (const auto& payload : SamplePayloads(name)) {
      // Dropping only trailing zero bytes after the final 0x80 leaves a valid RPU.
      size_t core = payload.size();
      while (core > 0 && payload[core - 1] == 0) --core;
      for (size_t len = 0; len < payload.size(); ++len) {
        INFO("prefix length " << len);
        const bool parsed = ExerciseParser(absl::MakeConstSpan(payload.data(), len));
        if (len < core) CHECK_FALSE(parsed);
      }
    }
  }
}

TEST_CASE("Single-bit flips give an error or a valid RPU", "[dovi][robust]") {
  for (const char* name : kSamples) {
    INFO(name);
    const std::vector<uint8_t> payload = SamplePayloads(name)[0];
    for (size_t bit = 0; bit < payload.size() * 8; ++bit) {
      std::vector<uint8_t> damaged = payload;
      damaged[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      ExerciseParser(damaged);
    }
  }
}

TEST_CASE("Bit flips behind a repaired CRC: what parses writes back identically",
          "[dovi][robust]") {
  for (const char* name : kSamples) {
    INFO(name);
    const std::vector<uint8_t> payload = SamplePayloads(name)[0];
    const size_t rbsp_bits = (bits::RemoveEmulationPrevention(payload).size() - 6) * 8;
    size_t parsed = 0;
    for (size_t bit = 0; bit < rbsp_bits; ++bit) {
      const std::vector<uint8_t> damaged = FlipWithValidCrc(payload, bit);
      if (!ExerciseParser(damaged)) continue;
      ++parsed;
      auto rewritten = WriteRpu(*ParseRpu(damaged));
      REQUIRE(rewritten.ok());
      INFO("bit " << bit);
      CHECK(*rewritten == damaged);
    }
    CHECK(parsed > 0);  // coefficient bits flip without breaking the syntax
  }
}

TEST_CASE("Random bytes never crash the parser", "[dovi][robust]") {
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes(1 + rng() % 400);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    bytes[0] = kRpuNalPrefix;
    if (i % 2) bytes.back() = kRpuFinalByte;
    ExerciseParser(bytes);
  }
}

// The input with a correct CRC over its unescaped body, as the fuzz target builds it.
std::vector<uint8_t> WithRepairedCrc(absl::Span<const uint8_t> payload) {
  std::vector<uint8_t> rbsp = bits::RemoveEmulationPrevention(payload);
  if (rbsp.size() < 7) return {};
  rbsp[0] = kRpuNalPrefix;
  rbsp.back() = kRpuFinalByte;
  const size_t crc_at = rbsp.size() - 5;
  const uint32_t crc = Crc32Mpeg2(absl::MakeConstSpan(rbsp.data() + 1, crc_at - 1));
  for (int i = 0; i < 4; ++i) rbsp[crc_at + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  return bits::AddEmulationPrevention(rbsp);
}

// Inputs the fuzzer (bench/fuzz.sh) found crashing, fed the way the fuzz target feeds them.
TEST_CASE("Fuzzer-found inputs stay fixed", "[dovi][robust]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(mkvfleet::testing::DoviSamplesDir()) / "fuzz-regressions";
  REQUIRE(fs::exists(dir));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    INFO(entry.path().string());
    ++files;
    const std::string data = mkvfleet::testing::ReadFileOrFail(entry.path().string());
    const absl::Span<const uint8_t> input(reinterpret_cast<const uint8_t*>(data.data()),
                                          data.size());
    auto payloads = ParseRpuFile(input);
    std::vector<absl::Span<const uint8_t>> parts;
    if (payloads.ok() && !payloads->empty()) {
      parts = *payloads;
    } else {
      parts.push_back(input);
    }
    for (absl::Span<const uint8_t> part : parts) {
      ExerciseParser(part);
      const std::vector<uint8_t> repaired = WithRepairedCrc(part);
      if (!repaired.empty() && ExerciseParser(repaired))
        CHECK(*WriteRpu(*ParseRpu(repaired)) == repaired);
    }
  }
  CHECK(files >= 1);
}

}  // namespace
}  // namespace mkvfleet::dovi
