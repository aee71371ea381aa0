// ExtractRpus (NAL heads only, no access-unit copies) against the straightforward extraction
// it replaced (whole access units from AccessUnitReader, analysed NAL by NAL): same RPU files,
// same success or failure, on the samples and on truncated, corrupted and random streams.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/byte_io.h"
#include "common/dvstream/operations.h"
#include "common/hevc/nal_unit.h"
#include "tests/test_paths.h"

namespace mkvfleet::dvstream {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Sample(const std::string& name) {
  const std::string s = testing::ReadFileOrFail(testing::DoviSamplesDir() + "/hevc/" + name);
  return {s.begin(), s.end()};
}

// The extraction as it was written before the scanner: whole access units.
absl::StatusOr<StreamStats> ReferenceExtract(ByteSource& in, ByteSink& rpu_out,
                                             const RpuTransform& transform) {
  StreamStats stats;
  AccessUnitReader reader(in);
  hevc::FrameOrderAnalyzer analyzer;
  DisplayOrderRpuWriter writer(rpu_out);
  hevc::AccessUnit au;
  absl::Status st;
  while (st.ok()) {
    absl::StatusOr<bool> more = reader.Next(&au);
    if (!more.ok() || !*more) {
      st = more.status();
      break;
    }
    const uint64_t index = stats.access_units++;
    absl::StatusOr<hevc::FrameInfo> frame = AnalyzeAccessUnit(analyzer, au, index);
    if (!frame.ok()) {
      st = frame.status();
      break;
    }
    int found = -1;
    for (size_t i = 0; i < au.size() && st.ok(); ++i) {
      if (au.type(i) != hevc::kUnspec62) continue;
      if (found >= 0) st = AtAccessUnit(absl::InvalidArgumentError("more than one RPU NAL"), index);
      found = static_cast<int>(i);
    }
    if (!st.ok() || found < 0) continue;
    if (!frame->has_picture) {
      st = AtAccessUnit(absl::InvalidArgumentError("RPU NAL in an access unit without a picture"),
                        index);
      break;
    }
    absl::StatusOr<std::vector<uint8_t>> rpu = ApplyTransform(transform, au.nal(found).subspan(2));
    if (!rpu.ok()) {
      st = AtAccessUnit(rpu.status(), index);
      break;
    }
    st = writer.Add(frame->key, *std::move(rpu));
    if (!st.ok()) st = AtAccessUnit(st, index);
  }
  absl::Status fin = writer.Finish();
  if (!st.ok()) return st;
  if (!fin.ok()) return fin;
  stats.rpus = writer.written();
  return stats;
}

// A transform that changes the payload, so the test sees it applied per RPU.
absl::StatusOr<std::vector<uint8_t>> Tag(absl::Span<const uint8_t> p) {
  std::vector<uint8_t> out(p.begin(), p.end());
  out.push_back(0xAB);
  return out;
}

void CheckSameAsReference(const Bytes& data, size_t chunk, bool transform) {
  const RpuTransform t = transform ? RpuTransform(Tag) : RpuTransform();
  MemorySource a(data, chunk), b(data, chunk);
  MemorySink got, want;
  const auto fast = ExtractRpus(a, got, t);
  const auto ref = ReferenceExtract(b, want, t);
  INFO("chunk " << chunk << " size " << data.size() << " reference: " << ref.status().ToString()
                << " fast: " << fast.status().ToString());
  REQUIRE(fast.ok() == ref.ok());
  if (ref.ok()) {
    CHECK(fast->access_units == ref->access_units);
    CHECK(fast->rpus == ref->rpus);
    CHECK(got.data() == want.data());
  } else {
    CHECK(fast.status().code() == ref.status().code());
  }
}

TEST_CASE("extract matches the access-unit extraction on the samples", "[dvstream][extract]") {
  for (const char* name : {"regular.hevc", "regular_start_code_4_muxed_el.hevc",
                           "regular_bl_start_code_4.hevc"}) {
    const Bytes data = Sample(name);
    for (size_t chunk : {size_t{1}, size_t{3}, size_t{1000}, size_t{1} << 16}) {
      CheckSameAsReference(data, chunk, chunk != 3);
    }
  }
}

TEST_CASE("extract matches the access-unit extraction on damaged streams",
          "[dvstream][extract]") {
  const Bytes full = Sample("regular_start_code_4_muxed_el.hevc");
  std::mt19937 rng(3);
  for (int i = 0; i < 60; ++i) {
    const size_t cut = rng() % full.size();
    CheckSameAsReference(Bytes(full.begin(), full.begin() + cut), 1 + rng() % 5000, i % 2 == 0);
  }
  for (int i = 0; i < 60; ++i) {
    Bytes b = full;
    for (int k = 0; k < 1 + i % 8; ++k) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    CheckSameAsReference(b, 1 + rng() % 5000, i % 2 == 0);
  }
  for (int i = 0; i < 60; ++i) {
    Bytes b(rng() % 4096);
    for (auto& x : b) x = static_cast<uint8_t>(rng() % 4);
    CheckSameAsReference(b, 1 + rng() % 700, false);
  }
}

}  // namespace
}  // namespace mkvfleet::dvstream
