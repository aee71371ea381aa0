// NalScanner against NalSplitter (same NALs, same errors) on random, zero-dense streams at every
// kind of chunk boundary, and the vectorised start-code search against a byte-by-byte one.
#include "common/hevc/nal_scanner.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/hevc/nal_splitter.h"
#include "tests/test_paths.h"

namespace mkvfleet::hevc {
namespace {

using Bytes = std::vector<uint8_t>;

struct Result {
  std::vector<Bytes> heads;       // what the scanner handed out (the whole NAL for the splitter)
  std::vector<uint64_t> sizes;
  absl::Status status;
};

Result RunSplitter(const Bytes& data, size_t chunk, size_t max_nal) {
  Result out;
  NalSplitter splitter(max_nal);
  auto sink = [&](const AnnexBNal& nal) {
    out.heads.emplace_back(nal.data.begin(), nal.data.end());
    out.sizes.push_back(nal.data.size());
    return absl::OkStatus();
  };
  for (size_t pos = 0; pos < data.size() && out.status.ok(); pos += chunk) {
    out.status = splitter.Feed(
        absl::MakeConstSpan(data.data() + pos, std::min(chunk, data.size() - pos)), sink);
  }
  if (out.status.ok()) out.status = splitter.Finish(sink);
  return out;
}

Result RunScanner(const Bytes& data, size_t chunk, uint64_t whole_types, size_t max_nal) {
  Result out;
  NalScanner scanner(whole_types, max_nal);
  auto sink = [&](const ScannedNal& nal) {
    out.heads.emplace_back(nal.head.begin(), nal.head.end());
    out.sizes.push_back(nal.size);
    return absl::OkStatus();
  };
  for (size_t pos = 0; pos < data.size() && out.status.ok(); pos += chunk) {
    out.status = scanner.Feed(
        absl::MakeConstSpan(data.data() + pos, std::min(chunk, data.size() - pos)), sink);
  }
  if (out.status.ok()) out.status = scanner.Finish(sink);
  return out;
}

// The scanner's view of the splitter's result: heads cut to kHeadBytes unless kept whole.
void CheckSame(const Result& split, const Result& scan, uint64_t whole_types) {
  REQUIRE(scan.status.ok() == split.status.ok());
  if (!split.status.ok()) {
    CHECK(scan.status.code() == split.status.code());
    // Same wording (offsets may be counted differently).
    const std::string a(split.status.message()), b(scan.status.message());
    CHECK(a.substr(0, 20) == b.substr(0, 20));
    return;
  }
  REQUIRE(scan.heads.size() == split.heads.size());
  for (size_t i = 0; i < split.heads.size(); ++i) {
    const Bytes& nal = split.heads[i];
    CHECK(scan.sizes[i] == nal.size());
    const bool whole = (whole_types >> ((nal[0] >> 1) & 0x3F)) & 1;
    const size_t keep = whole ? nal.size() : std::min(nal.size(), NalScanner::kHeadBytes);
    CHECK(scan.heads[i] == Bytes(nal.begin(), nal.begin() + keep));
  }
}

// Random stream: start codes, zero runs and long NALs whose bytes avoid (or not) zeros.
Bytes RandomStream(std::mt19937& rng, size_t nals) {
  Bytes b;
  if (rng() % 4 == 0) b.push_back(static_cast<uint8_t>(rng() % 3));  // maybe garbage first
  for (size_t i = 0; i < nals; ++i) {
    for (unsigned z = rng() % 4; z > 0; --z) b.push_back(0);
    b.insert(b.end(), {0, 0, 1});
    b.push_back(static_cast<uint8_t>((rng() % 64) << 1));  // header: any type, forbidden bit 0
    const size_t len = rng() % 3 == 0 ? rng() % 600 : rng() % 20;
    const unsigned mode = rng() % 3;
    for (size_t k = 0; k < len; ++k) {
      if (mode == 0) {
        b.push_back(static_cast<uint8_t>(rng() % 4));  // dense in zeros and ones
      } else {
        b.push_back(static_cast<uint8_t>(1 + rng() % 255));
      }
    }
  }
  for (unsigned z = rng() % 3; z > 0; --z) b.push_back(0);
  return b;
}

TEST_CASE("the scanner finds the splitter's NALs at every chunk boundary", "[hevc][scanner]") {
  std::mt19937 rng(42);
  const uint64_t whole_sets[] = {0, (uint64_t{1} << 62) | (uint64_t{1} << 33), ~uint64_t{0}};
  for (int iter = 0; iter < 300; ++iter) {
    const Bytes data = RandomStream(rng, 1 + rng() % 12);
    const size_t max_nal = iter % 10 == 0 ? 64 : size_t{1} << 20;
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{100},
                         size_t{129}, data.size() + 1}) {
      const uint64_t whole = whole_sets[iter % 3];
      const Result split = RunSplitter(data, chunk, max_nal);
      const Result scan = RunScanner(data, chunk, whole, max_nal);
      INFO("iteration " << iter << " chunk " << chunk);
      if (split.status.code() == absl::StatusCode::kResourceExhausted ||
          scan.status.code() == absl::StatusCode::kResourceExhausted) {
        // The size limit guards memory, so each applies it to what it holds: the splitter to a
        // NAL cut by a chunk boundary, the scanner to NALs kept whole.
        continue;
      }
      CheckSame(split, scan, whole);
    }
  }
}

TEST_CASE("the scanner matches the splitter on the dual-layer sample", "[hevc][scanner]") {
  const std::string s = testing::ReadFileOrFail(testing::DoviSamplesDir() +
                                                "/hevc/regular_start_code_4_muxed_el.hevc");
  const Bytes data(s.begin(), s.end());
  const uint64_t whole = (uint64_t{1} << 33) | (uint64_t{1} << 34) | (uint64_t{1} << 62);
  for (size_t chunk : {size_t{1}, size_t{4096}, data.size()}) {
    CheckSame(RunSplitter(data, chunk, 1 << 20), RunScanner(data, chunk, whole, 1 << 20), whole);
  }
}

TEST_CASE("errors of the scanner name the problem", "[hevc][scanner]") {
  const Bytes garbage = {'R', 'I', 'F', 'F', 0, 0, 0, 1, 0x40, 0x01};
  Result r = RunScanner(garbage, 3, 0, 1 << 20);
  REQUIRE_FALSE(r.status.ok());
  CHECK(std::string(r.status.message()).find("does not begin with an Annex B start code") !=
        std::string::npos);
  const Bytes empty_nal = {0, 0, 1, 0x40, 0x01, 0, 0, 1, 0, 0, 1, 0x42, 0x01};
  r = RunScanner(empty_nal, 1, 0, 1 << 20);
  REQUIRE_FALSE(r.status.ok());
  CHECK(std::string(r.status.message()).find("empty NAL unit") != std::string::npos);
  Bytes big = {0, 0, 1, 0x7C, 0x01};
  big.resize(300, 0x55);
  r = RunScanner(big, 100, uint64_t{1} << 62, 200);
  REQUIRE_FALSE(r.status.ok());
  CHECK(r.status.code() == absl::StatusCode::kResourceExhausted);
  r = RunScanner(big, 100, 0, 200);  // not kept whole: no limit needed
  REQUIRE(r.status.ok());
  CHECK(r.sizes == std::vector<uint64_t>{297});
  CHECK(r.heads[0].size() == NalScanner::kHeadBytes);
}

TEST_CASE("start-code search matches a byte-by-byte search", "[hevc][scanner]") {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 2000; ++iter) {
    Bytes b(rng() % 700);
    const unsigned density = 2 + rng() % 254;
    for (auto& x : b) x = static_cast<uint8_t>(rng() % density);
    const size_t from = b.empty() ? 0 : rng() % (b.size() + 1);
    size_t want = b.size();
    for (size_t i = from; i + 3 <= b.size(); ++i) {
      if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
        want = i;
        break;
      }
    }
    INFO("size " << b.size() << " from " << from);
    REQUIRE(FindAnnexBStartCode(b.data(), from, b.size()) == want);
  }
}

}  // namespace
}  // namespace mkvfleet::hevc
