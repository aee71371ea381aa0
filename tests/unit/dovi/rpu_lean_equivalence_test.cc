// ConvertRpuPayload (the per-frame path: lean parse, fast checks with exact fallbacks, and a
// write that copies unchanged input spans) must behave exactly like ParseRpu + ConvertRpu +
// WriteRpu: the same bytes when both succeed, the same error code and message when not. Checked
// on every sample, in every mode, and on damaged copies that reach every field: truncations,
// raw bit flips, bit flips and byte substitutions behind a repaired CRC, and random bytes.
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
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

using testing::Hex;
using testing::SamplePayloads;

constexpr ConversionMode kModes[] = {ConversionMode::kRewrite, ConversionMode::kToMel,
                                     ConversionMode::kTo81, ConversionMode::kTo84,
                                     ConversionMode::kTo81KeepMapping};

absl::StatusOr<std::vector<uint8_t>> Reference(absl::Span<const uint8_t> payload,
                                               ConversionMode mode) {
  absl::StatusOr<Rpu> rpu = ParseRpu(payload);
  if (!rpu.ok()) return rpu.status();
  if (absl::Status s = ConvertRpu(*rpu, mode); !s.ok()) return s;
  return WriteRpu(*rpu);
}

// Compares both paths in every mode; returns how many modes succeeded.
int CheckSame(absl::Span<const uint8_t> payload) {
  int ok = 0;
  for (ConversionMode mode : kModes) {
    const absl::StatusOr<std::vector<uint8_t>> want = Reference(payload, mode);
    std::vector<uint8_t> got(7, 0xEE);  // a reused buffer holding something
    const absl::Status status = ConvertRpuPayload(payload, mode, got);
    const bool same = status.ToString() == want.status().ToString() &&
                      (!status.ok() || got == *want);
    if (!same) {  // messages built only on failure: this runs a million times
      FAIL("mode " << static_cast<int>(mode) << "\ninput    " << Hex(payload) << "\nlean     "
                   << status.ToString() << " " << (status.ok() ? Hex(got) : "") << "\nfull     "
                   << want.status().ToString() << " " << (want.ok() ? Hex(*want) : ""));
    }
    ok += status.ok();
  }
  return ok;
}

std::vector<std::vector<uint8_t>> AllSamples() {
  namespace fs = std::filesystem;
  std::vector<std::vector<uint8_t>> out;
  const fs::path dir = fs::path(mkvfleet::testing::DoviSamplesDir()) / "rpu";
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    auto payloads = SamplePayloads(name);
    // Multi-RPU files repeat one layout: a few of each are enough.
    if (payloads.size() > 3) payloads.resize(3);
    for (auto& p : payloads) out.push_back(std::move(p));
  }
  return out;
}

// `rbsp` with a correct CRC over its body (up to the last 0x80), escaped again.
std::vector<uint8_t> RepairAndEscape(std::vector<uint8_t> rbsp) {
  size_t end = rbsp.size();
  while (end > 0 && rbsp[end - 1] == 0) --end;
  if (end < 7) return bits::AddEmulationPrevention(rbsp);
  const size_t crc_at = end - 5;
  const uint32_t crc = Crc32Mpeg2(absl::MakeConstSpan(rbsp.data() + 1, crc_at - 1));
  for (int i = 0; i < 4; ++i) rbsp[crc_at + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  return bits::AddEmulationPrevention(rbsp);
}

TEST_CASE("Lean conversion equals the full path on every sample and mode", "[dovi][lean]") {
  int ok = 0;
  for (const auto& payload : AllSamples()) ok += CheckSame(payload);
  CHECK(ok > 50);
}

// A FEL's identity curves in mode 2 are serialised once per thread and key (the values they
// depend on): RPUs whose keys differ, in turn, must each get their own bits.
TEST_CASE("Lean conversion of FEL identity curves follows every value they depend on",
          "[dovi][lean]") {
  const std::vector<uint8_t> fel = testing::SinglePayload("fel_orig.bin");
  absl::StatusOr<Rpu> parsed = ParseRpu(fel);
  REQUIRE(parsed.ok());
  std::vector<std::vector<uint8_t>> variants = {fel};
  auto add = [&](auto edit) {
    Rpu rpu = *parsed;
    edit(rpu);
    absl::StatusOr<std::vector<uint8_t>> written = WriteRpu(rpu);
    REQUIRE(written.ok());
    variants.push_back(*std::move(written));
  };
  add([](Rpu& r) { r.mapping->vdr_rpu_id = 5; });
  add([](Rpu& r) { r.mapping->mapping_color_space = 1; });
  add([](Rpu& r) { r.mapping->mapping_chroma_format_idc = 2; });
  add([](Rpu& r) { r.header.bl_bit_depth_minus8 = 4; });
  add([](Rpu& r) { r.header.coefficient_log2_denom = 20; });
  add([](Rpu& r) { r.header.coefficient_data_type = 1; });
  std::vector<uint8_t> converted;
  std::vector<std::vector<uint8_t>> outputs;
  for (int round = 0; round < 2; ++round) {
    for (const auto& v : variants) {
      REQUIRE(ConvertRpuPayload(v, ConversionMode::kTo81, converted).ok());
      REQUIRE(CheckSame(v) == static_cast<int>(std::size(kModes)));
      outputs.push_back(converted);
    }
  }
  // Each variant's output differs from the original's (so the test can fail on a stale cache).
  for (size_t i = 1; i < variants.size(); ++i) {
    INFO("variant " << i);
    CHECK(outputs[i] != outputs[0]);
  }
}

TEST_CASE("Lean conversion equals the full path on truncations and raw bit flips",
          "[dovi][lean]") {
  for (const auto& payload : AllSamples()) {
    for (size_t len = 0; len < payload.size(); ++len) {
      CheckSame(absl::MakeConstSpan(payload.data(), len));
    }
    for (size_t bit = 0; bit < payload.size() * 8; bit += 3) {
      std::vector<uint8_t> damaged = payload;
      damaged[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      CheckSame(damaged);
    }
  }
}

TEST_CASE("Lean conversion equals the full path on damage behind a repaired CRC",
          "[dovi][lean]") {
  std::mt19937 rng(4242);
  int parsed = 0;
  for (const auto& payload : AllSamples()) {
    const std::vector<uint8_t> rbsp = bits::RemoveEmulationPrevention(payload);
    if (rbsp.size() < 8) continue;
    const size_t body_bits = (rbsp.size() - 6) * 8;
    for (size_t bit = 8; bit < body_bits; ++bit) {  // every bit of every field
      std::vector<uint8_t> damaged = rbsp;
      damaged[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
      parsed += CheckSame(RepairAndEscape(damaged)) > 0;
    }
    for (int i = 0; i < 200; ++i) {  // a few bytes replaced at once
      std::vector<uint8_t> damaged = rbsp;
      for (int k = 0; k < 3; ++k) damaged[1 + rng() % (rbsp.size() - 7)] = rng() % 4 ? 0 : rng();
      parsed += CheckSame(RepairAndEscape(damaged)) > 0;
    }
  }
  CHECK(parsed > 1000);  // coefficient and block payload bits flip without breaking the syntax
}

// Inputs the fuzzer found crashing (tests/data/dovi/fuzz-regressions), as they are and with a
// repaired CRC so that they reach the fast checks.
TEST_CASE("Lean conversion equals the full path on the fuzz regressions", "[dovi][lean]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(mkvfleet::testing::DoviSamplesDir()) / "fuzz-regressions";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    ++files;
    const std::string data = mkvfleet::testing::ReadFileOrFail(entry.path().string());
    const std::vector<uint8_t> bytes(data.begin(), data.end());
    std::vector<std::vector<uint8_t>> parts;
    if (auto split = ParseRpuFile(bytes); split.ok() && !split->empty()) {
      for (auto part : *split) parts.emplace_back(part.begin(), part.end());
    } else {
      parts.push_back(bytes);
    }
    for (const auto& part : parts) {
      CheckSame(part);
      std::vector<uint8_t> rbsp = bits::RemoveEmulationPrevention(part);
      if (rbsp.size() < 7) continue;
      rbsp[0] = kRpuNalPrefix;
      rbsp.back() = kRpuFinalByte;
      CheckSame(RepairAndEscape(rbsp));
    }
  }
  CHECK(files >= 1);
}

TEST_CASE("Lean conversion equals the full path on random bytes", "[dovi][lean]") {
  std::mt19937 rng(777);
  for (int i = 0; i < 5000; ++i) {
    std::vector<uint8_t> rbsp(8 + rng() % 300);
    for (uint8_t& b : rbsp) b = static_cast<uint8_t>(rng() % 3 ? rng() : 0);
    rbsp[0] = kRpuNalPrefix;
    rbsp.back() = kRpuFinalByte;
    CheckSame(RepairAndEscape(rbsp));
  }
}

}  // namespace
}  // namespace mkvfleet::dovi
