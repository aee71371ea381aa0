// Sample loading for the RPU tests.
#include "tests/unit/dovi/dovi_test_util.h"

#include <catch2/catch.hpp>

#include "absl/strings/str_format.h"
#include "common/dovi/rpu_file_bytes.h"
#include "tests/test_paths.h"

namespace mkvfleet::dovi::testing {

std::vector<uint8_t> ReadRpuSample(const std::string& name) {
  const std::string data =
      mkvfleet::testing::ReadFileOrFail(mkvfleet::testing::DoviSamplesDir() + "/rpu/" + name);
  return std::vector<uint8_t>(data.begin(), data.end());
}

std::vector<std::vector<uint8_t>> SamplePayloads(const std::string& name) {
  const std::vector<uint8_t> file = ReadRpuSample(name);
  auto spans = ParseRpuFile(file);
  if (!spans.ok()) FAIL(name << ": " << spans.status().ToString());
  std::vector<std::vector<uint8_t>> out;
  for (auto s : *spans) out.emplace_back(s.begin(), s.end());
  return out;
}

std::vector<uint8_t> SinglePayload(const std::string& name) {
  auto all = SamplePayloads(name);
  if (all.size() != 1) FAIL(name << ": expected 1 RPU, found " << all.size());
  return all[0];
}

std::string Hex(absl::Span<const uint8_t> bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i)
    absl::StrAppendFormat(&out, "%s%02X", i ? " " : "", bytes[i]);
  return out;
}

}  // namespace mkvfleet::dovi::testing
