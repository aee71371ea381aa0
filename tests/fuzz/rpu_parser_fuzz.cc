// libFuzzer target for the RPU core: ParseRpu, WriteRpu and every ConvertRpu mode on arbitrary
// bytes. Each input is also tried with its CRC repaired, so mutations reach the parser behind the
// CRC check, and there the round trip must be exact. Built and run by bench/fuzz.sh.
// fuzz-sources: common/dovi/*.cc common/bits/*.cc
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/bits/emulation_prevention.h"
#include "common/dovi/crc32.h"
#include "common/dovi/rpu_convert.h"
#include "common/dovi/rpu_file_bytes.h"

namespace {

using mkvfleet::dovi::ConversionMode;

// Parses, writes and converts; returns the written bytes when the input parsed.
bool Exercise(absl::Span<const uint8_t> payload, std::vector<uint8_t>* written) {
  auto rpu = mkvfleet::dovi::ParseRpu(payload);
  if (!rpu.ok()) return false;
  auto out = mkvfleet::dovi::WriteRpu(*rpu);
  if (!out.ok()) std::abort();  // a parsed RPU must always be writable
  *written = std::move(*out);
  for (ConversionMode mode :
       {ConversionMode::kRewrite, ConversionMode::kToMel, ConversionMode::kTo81,
        ConversionMode::kTo84, ConversionMode::kTo81KeepMapping}) {
    mkvfleet::dovi::Rpu copy = *rpu;
    if (!mkvfleet::dovi::ConvertRpu(copy, mode).ok()) continue;
    auto converted = mkvfleet::dovi::WriteRpu(copy);
    if (converted.ok() && !mkvfleet::dovi::ParseRpu(*converted).ok()) std::abort();
  }
  return true;
}

// The input with a correct CRC for its unescaped body and canonical escaping, or empty when it
// has no room for one.
std::vector<uint8_t> WithRepairedCrc(absl::Span<const uint8_t> payload) {
  std::vector<uint8_t> rbsp = mkvfleet::bits::RemoveEmulationPrevention(payload);
  if (rbsp.size() < 7) return {};
  rbsp[0] = mkvfleet::dovi::kRpuNalPrefix;
  rbsp.back() = mkvfleet::dovi::kRpuFinalByte;
  const size_t crc_at = rbsp.size() - 5;
  const uint32_t crc = mkvfleet::dovi::Crc32Mpeg2(absl::MakeConstSpan(rbsp.data() + 1, crc_at - 1));
  for (int i = 0; i < 4; ++i) rbsp[crc_at + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  return mkvfleet::bits::AddEmulationPrevention(rbsp);
}

void FuzzPayload(absl::Span<const uint8_t> payload) {
  std::vector<uint8_t> written;
  Exercise(payload, &written);
  const std::vector<uint8_t> repaired = WithRepairedCrc(payload);
  if (!repaired.empty() && Exercise(repaired, &written) && written != repaired) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::Span<const uint8_t> input(data, size);
  // Seeds are RPU files (start code + payload); take them apart, otherwise use the bytes as is.
  auto payloads = mkvfleet::dovi::ParseRpuFile(input);
  if (payloads.ok() && !payloads->empty()) {
    for (absl::Span<const uint8_t> p : *payloads) FuzzPayload(p);
  } else {
    FuzzPayload(input);
  }
  return 0;
}
