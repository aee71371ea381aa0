// Malformed, truncated and random input: every operation returns (OK or an error), never
// crashes, and the errors that users will meet say what is wrong.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/dvstream/byte_io.h"
#include "common/dvstream/operations.h"
#include "tests/test_paths.h"

namespace mkvfleet::dvstream {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Sample(const std::string& name) {
  const std::string s = testing::ReadFileOrFail(testing::DoviSamplesDir() + "/hevc/" + name);
  return {s.begin(), s.end()};
}

// How many operations RunAll runs.
constexpr int kOperations = 5;

// Runs every single-input operation over `data` (ExtractRpus, Demux, DropEnhancementLayer, Mux,
// InjectRpus); returns how many succeeded.
int RunAll(const Bytes& data) {
  int ok = 0;
  {
    MemorySource in(data, 1000);
    MemorySink out;
    ok += ExtractRpus(in, out).ok();
  }
  {
    MemorySource in(data, 1000);
    MemorySink bl, el;
    ok += Demux(in, bl, &el).ok();
  }
  {
    MemorySource in(data, 1000);
    MemorySink out;
    ok += DropEnhancementLayer(in, out).ok();
  }
  {
    MemorySource bl(data, 1000), el(data, 999);
    MemorySink out;
    ok += Mux(bl, el, out).ok();
  }
  {
    const Bytes rpus = Sample("regular_rpu.bin");
    auto open = [](const Bytes& b) {
      return [&b]() -> absl::StatusOr<std::unique_ptr<ByteSource>> {
        return std::make_unique<MemorySource>(b);
      };
    };
    MemorySink out;
    InjectOptions opt;
    opt.allow_padding = true;
    ok += InjectRpus(open(data), open(rpus), out, opt).ok();
  }
  return ok;
}

// Whether `b` has a non-zero byte before its first start code (zero bytes, then 00 00 01), which
// every operation refuses: it is no Annex B stream.
bool JunkBeforeFirstStartCode(const Bytes& b) {
  size_t zeros = 0;
  while (zeros < b.size() && b[zeros] == 0) ++zeros;
  return zeros < b.size() && !(zeros >= 2 && b[zeros] == 1);
}

TEST_CASE("truncated streams never crash", "[dvstream][robustness]") {
  const Bytes full = Sample("regular_start_code_4_muxed_el.hevc");
  std::mt19937 rng(7);
  constexpr int kCuts = 40;
  int accepted_by_all = 0;
  for (int i = 0; i < kCuts; ++i) {
    const size_t cut = rng() % full.size();
    if (RunAll(Bytes(full.begin(), full.begin() + cut)) == kOperations) ++accepted_by_all;
  }
  // Most cut points fall inside slice data, which no operation decodes: the stream before the cut
  // is intact and ends in a short slice, so every operation accepts it. A cut inside a NAL header
  // or before an access unit's first slice may be refused (83% of this stream's cut points are
  // accepted by all five operations).
  CHECK(accepted_by_all > kCuts / 2);
}

TEST_CASE("corrupted and random streams never crash", "[dvstream][robustness]") {
  const Bytes full = Sample("regular.hevc");
  std::mt19937 rng(11);
  for (int i = 0; i < 40; ++i) {
    Bytes b = full;
    for (int k = 0; k < 20; ++k) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    // Demux and DropEnhancementLayer look only at start codes and NAL types, which 20 overwritten
    // bytes out of 68 KB leave intact in these streams: at least those two still accept each one.
    CHECK(RunAll(b) >= 2);
  }
  for (int i = 0; i < 40; ++i) {
    Bytes b(rng() % 4096);
    for (auto& x : b) x = static_cast<uint8_t>(rng() % 4);  // dense in zeros and ones
    // Junk before the first start code is refused by every operation. Past a start code, bytes
    // 0..3 only form slice NAL headers (types 0 and 1), never a parameter set, so the operations
    // that read slice headers (ExtractRpus, Mux, InjectRpus) refuse them; only Demux and
    // DropEnhancementLayer, which copy slices unread, may pass them through.
    CHECK(RunAll(b) <= (JunkBeforeFirstStartCode(b) ? 0 : 2));
  }
}

TEST_CASE("errors users meet name the problem", "[dvstream][robustness]") {
  const Bytes garbage = {'R', 'I', 'F', 'F', 0, 0, 0, 1};
  MemorySource in(garbage);
  MemorySink out;
  auto st = DropEnhancementLayer(in, out);
  REQUIRE_FALSE(st.ok());
  CHECK(std::string(st.status().message()).find("start code") != std::string::npos);

  // Slices whose parameter sets are missing cannot be ordered for display.
  Bytes no_ps = Sample("regular.hevc");
  no_ps.erase(no_ps.begin() + 7, no_ps.begin() + 7 + 4 + 24 + 4 + 55 + 4 + 7);
  MemorySource in2(no_ps);
  auto ex = ExtractRpus(in2, out);
  REQUIRE_FALSE(ex.ok());
  CHECK(std::string(ex.status().message()).find("access unit 0: slice refers to PPS 0") == 0);
}

TEST_CASE("a stream cut one byte into an RPU NAL is refused, not a crash", "[dvstream]") {
  // The sample cut right after the first RPU NAL's first header byte (0x7C).
  Bytes cut = Sample("regular_start_code_4_muxed_el.hevc");
  size_t at = 0;
  for (size_t i = 4; i + 1 < cut.size(); ++i) {
    if (cut[i - 4] == 0 && cut[i - 3] == 0 && cut[i - 2] == 0 && cut[i - 1] == 1 &&
        cut[i] == 0x7C) {
      at = i + 1;
      break;
    }
  }
  REQUIRE(at > 0);
  cut.resize(at);
  for (bool drop_el : {false, true}) {
    MemorySource in(cut);
    MemorySink bl, el;
    auto st = drop_el ? DropEnhancementLayer(in, bl) : Demux(in, bl, &el);
    REQUIRE_FALSE(st.ok());
    CHECK_THAT(std::string(st.status().message()), Catch::Contains("RPU NAL without a payload"));
  }
}

TEST_CASE("inject with fewer RPUs than frames fails naming both counts", "[dvstream]") {
  const Bytes bl = Sample("regular_bl_start_code_4.hevc");
  const Bytes all = Sample("regular_rpu.bin");
  // Cut the RPU file after its 258th RPU.
  std::vector<size_t> starts;
  for (size_t i = 0; i + 3 < all.size(); ++i) {
    if (all[i] == 0 && all[i + 1] == 0 && all[i + 2] == 0 && all[i + 3] == 1) starts.push_back(i);
  }
  REQUIRE(starts.size() == 259);
  const size_t cut = starts[258];
  const Bytes short_rpus(all.begin(), all.begin() + cut);
  auto open = [](const Bytes& b) {
    return [&b]() -> absl::StatusOr<std::unique_ptr<ByteSource>> {
      return std::make_unique<MemorySource>(b);
    };
  };
  MemorySink out;
  auto st = InjectRpus(open(bl), open(short_rpus), out);
  REQUIRE_FALSE(st.ok());
  const std::string msg(st.status().message());
  CHECK(msg.find("258 RPUs") != std::string::npos);
  CHECK(msg.find("259 frames") != std::string::npos);
  CHECK(out.data().empty());

  InjectOptions pad;
  pad.allow_padding = true;
  MemorySink padded;
  auto ok = InjectRpus(open(bl), open(short_rpus), padded, pad);
  REQUIRE(ok.ok());
  CHECK(ok->rpus == 259);
  CHECK(ok->rpus_padded == 1);
  // Extracting again gives the 258 RPUs with the last one repeated.
  MemorySource again(padded.data());
  MemorySink extracted;
  REQUIRE(ExtractRpus(again, extracted).ok());
  Bytes want = short_rpus;
  want.insert(want.end(), all.begin() + starts[257], all.begin() + cut);
  CHECK(extracted.data() == want);
}

}  // namespace
}  // namespace mkvfleet::dvstream
