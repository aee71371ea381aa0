// Every row of the samples README's "Stream operations with an expected result" table (except the
// MKV row, which goes through libavformat elsewhere), byte for byte against the expected files,
// and the SEI edge-case samples.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/dvstream/byte_io.h"
#include "common/dvstream/operations.h"
#include "tests/test_paths.h"

namespace mkvfleet::dvstream {
namespace {

using hevc::StartCodeStyle;

std::vector<uint8_t> Sample(const std::string& name) {
  const std::string s = testing::ReadFileOrFail(testing::DoviSamplesDir() + "/hevc/" + name);
  return {s.begin(), s.end()};
}

// Chunk sizes that put chunk boundaries everywhere relative to start codes.
const size_t kChunkSizes[] = {1, 7, 4096, 1 << 20};

SourceOpener OpenerOf(const std::vector<uint8_t>& data, size_t chunk) {
  return [&data, chunk]() -> absl::StatusOr<std::unique_ptr<ByteSource>> {
    return std::make_unique<MemorySource>(data, chunk);
  };
}

// Compares sizes first so a mismatch prints something short.
void CheckSame(const std::vector<uint8_t>& got, const std::string& expected_name) {
  const std::vector<uint8_t> want = Sample(expected_name);
  INFO("expected " << expected_name);
  REQUIRE(got.size() == want.size());
  CHECK(got == want);
}

TEST_CASE("extract RPUs in display order: regular.hevc -> regular_rpu.bin", "[dvstream]") {
  const auto in = Sample("regular.hevc");
  for (size_t chunk : kChunkSizes) {
    MemorySource src(in, chunk);
    MemorySink out;
    auto stats = ExtractRpus(src, out);
    REQUIRE(stats.ok());
    CHECK(stats->rpus == 259);
    CHECK(stats->access_units == 259);
    CheckSame(out.data(), "regular_rpu.bin");
  }
}

TEST_CASE("rewrite with Annex B start codes: regular.hevc", "[dvstream]") {
  const auto in = Sample("regular.hevc");
  MemorySource src(in, 4096);
  MemorySink out;
  REQUIRE(ConvertStartCodes(src, out, StartCodeStyle::kAnnexB).ok());
  CheckSame(out.data(), "regular_convert_annexb.hevc");
}

TEST_CASE("inject RPUs into a BL", "[dvstream]") {
  const auto rpus = Sample("regular_rpu.bin");
  struct Row {
    const char* bl;
    bool add_aud;
    StartCodeStyle style;
    const char* expected;
  };
  const Row rows[] = {
      {"regular_bl_start_code_4.hevc", true, StartCodeStyle::kFourByte,
       "regular_start_code_4.hevc"},
      {"no_aud_bl.hevc", true, StartCodeStyle::kFourByte, "regular_start_code_4.hevc"},
      {"no_aud_bl.hevc", false, StartCodeStyle::kFourByte, "no_aud_injected.hevc"},
      {"regular_bl_start_code_4.hevc", true, StartCodeStyle::kAnnexB, "regular_inject_annexb.hevc"},
  };
  for (const Row& row : rows) {
    INFO("BL " << row.bl << " add_aud " << row.add_aud);
    const auto bl = Sample(row.bl);
    for (size_t chunk : {size_t{7}, size_t{1} << 20}) {
      MemorySink out;
      InjectOptions opt;
      opt.add_aud = row.add_aud;
      opt.style = row.style;
      auto stats = InjectRpus(OpenerOf(bl, chunk), OpenerOf(rpus, chunk), out, opt);
      REQUIRE(stats.ok());
      CHECK(stats->rpus == 259);
      CheckSame(out.data(), row.expected);
    }
  }
}

TEST_CASE("inject with per-frame copies: a dropped RPU is missing at its display position",
          "[dvstream]") {
  const auto rpus = Sample("regular_rpu.bin");
  const auto bl = Sample("regular_bl_start_code_4.hevc");
  InjectOptions opt;
  opt.rpu_copies = [](uint64_t frame) { return frame == 5 ? 0 : frame == 9 ? 2 : 1; };
  MemorySink out;
  auto stats = InjectRpus(OpenerOf(bl, 1 << 20), OpenerOf(rpus, 1 << 20), out, opt);
  REQUIRE(stats.ok());
  CHECK(stats->access_units == 259);
  CHECK(stats->rpus == 259);  // one dropped, one doubled

  // Without the doubling (which extraction refuses), extraction gives every RPU but the 6th.
  opt.rpu_copies = [](uint64_t frame) { return frame == 5 ? 0 : 1; };
  MemorySink dropped;
  REQUIRE(InjectRpus(OpenerOf(bl, 1 << 20), OpenerOf(rpus, 1 << 20), dropped, opt).ok());
  MemorySource src(dropped.data(), 4096);
  MemorySink extracted;
  auto ex = ExtractRpus(src, extracted);
  REQUIRE(ex.ok());
  CHECK(ex->rpus == 258);
  MemorySink whole;
  MemorySource again(out.data(), 4096);
  CHECK_FALSE(ExtractRpus(again, whole).ok());  // frame 9's unit has two RPU NALs
  // regular_rpu.bin without its 6th RPU: the RPU file's framing is 00 00 00 01 + payload.
  std::vector<size_t> starts;
  for (size_t i = 0; i + 4 <= rpus.size(); ++i) {
    if (rpus[i] == 0 && rpus[i + 1] == 0 && rpus[i + 2] == 0 && rpus[i + 3] == 1) {
      starts.push_back(i);
    }
  }
  REQUIRE(starts.size() == 259);
  std::vector<uint8_t> want(rpus.begin(), rpus.begin() + static_cast<long>(starts[5]));
  want.insert(want.end(), rpus.begin() + static_cast<long>(starts[6]), rpus.end());
  CHECK(extracted.data() == want);
}

TEST_CASE("demux dual layer into BL and EL", "[dvstream]") {
  const auto in = Sample("regular_start_code_4_muxed_el.hevc");
  for (size_t chunk : kChunkSizes) {
    MemorySource src(in, chunk);
    MemorySink bl, el;
    auto stats = Demux(src, bl, &el);
    REQUIRE(stats.ok());
    CHECK(stats->access_units == 259);
    CheckSame(bl.data(), "regular_bl_start_code_4.hevc");
    CheckSame(el.data(), "regular_start_code_4.hevc");
  }
}

TEST_CASE("drop the EL keeping BL + RPU", "[dvstream]") {
  const auto in = Sample("regular_start_code_4_muxed_el.hevc");
  for (size_t chunk : kChunkSizes) {
    MemorySource src(in, chunk);
    MemorySink out;
    auto stats = DropEnhancementLayer(src, out);
    REQUIRE(stats.ok());
    CHECK(stats->rpus == 259);
    CheckSame(out.data(), "regular_start_code_4.hevc");
  }
}

TEST_CASE("remove RPUs and EL", "[dvstream]") {
  const auto in = Sample("regular_start_code_4_muxed_el.hevc");
  MemorySource src(in, 4096);
  MemorySink out;
  REQUIRE(Demux(src, out, nullptr).ok());
  CheckSame(out.data(), "regular_bl_start_code_4.hevc");

  MemorySource src2(in, 4096);
  MemorySink annexb;
  LayerOptions opt;
  opt.style = StartCodeStyle::kAnnexB;
  REQUIRE(Demux(src2, annexb, nullptr, opt).ok());
  CheckSame(annexb.data(), "regular_demux_bl_annexb.hevc");
}

TEST_CASE("mux BL + EL into one dual-layer stream", "[dvstream]") {
  const auto bl = Sample("regular_bl_start_code_4.hevc");
  const auto el = Sample("regular.hevc");
  for (size_t chunk : kChunkSizes) {
    MemorySource bl_src(bl, chunk), el_src(el, chunk + 3);
    MemorySink out;
    auto stats = Mux(bl_src, el_src, out);
    REQUIRE(stats.ok());
    CHECK(stats->access_units == 259);
    CheckSame(out.data(), "regular_start_code_4_muxed_el.hevc");
  }
}

TEST_CASE("mux with a BL one frame shorter fails naming both counts", "[dvstream]") {
  const auto bl = Sample("regular_bl_start_code_4_shorter.hevc");
  const auto el = Sample("regular.hevc");
  MemorySource bl_src(bl, 4096), el_src(el, 4096);
  MemorySink out;
  auto stats = Mux(bl_src, el_src, out);
  REQUIRE_FALSE(stats.ok());
  CHECK(stats.status().code() == absl::StatusCode::kFailedPrecondition);
  const std::string msg(stats.status().message());
  CHECK(msg.find("258") != std::string::npos);
  CHECK(msg.find("259") != std::string::npos);
  CheckSame(out.data(), "regular_start_code_4_shorter_muxed_el.hevc");

  // The other way round: the EL is the shorter one.
  MemorySource bl_src2(el, 4096), el_src2(bl, 4096);
  MemorySink out2;
  auto stats2 = Mux(bl_src2, el_src2, out2);
  REQUIRE_FALSE(stats2.ok());
  CHECK(std::string(stats2.status().message()).find("BL has 259 frames, EL has 258") !=
        std::string::npos);
}

TEST_CASE("mux dropping the end-of-sequence NAL", "[dvstream]") {
  const auto bl = Sample("regular_bl_start_code_4.hevc");
  const auto el = Sample("regular.hevc");
  MemorySource bl_src(bl, 4096), el_src(el, 4096);
  MemorySink out;
  MuxOptions opt;
  opt.drop_eos = true;
  REQUIRE(Mux(bl_src, el_src, out, opt).ok());
  CheckSame(out.data(), "regular_start_code_4_muxed_el_removed_eos.hevc");
}

TEST_CASE("mux without adding AUDs", "[dvstream]") {
  const auto bl = Sample("no_aud_bl.hevc");
  const auto el = Sample("no_aud_injected.hevc");
  MemorySource bl_src(bl, 4096), el_src(el, 4096);
  MemorySink out;
  MuxOptions opt;
  opt.add_aud = false;
  REQUIRE(Mux(bl_src, el_src, out, opt).ok());
  CheckSame(out.data(), "no_aud_muxed.hevc");
}

TEST_CASE("SEI edge-case samples split and demux without error", "[dvstream]") {
  for (const char* name : {"sei-double-3byte-case.hevc", "sei-double-3byte-start-code-4.hevc",
                           "sei-suffix-muxed-rpu.hevc"}) {
    INFO(name);
    const auto in = Sample(name);
    MemorySource src(in, 1);
    MemorySink bl, el;
    auto stats = Demux(src, bl, &el);
    REQUIRE(stats.ok());
    CHECK(bl.data().size() > 0);
  }
  // The suffix SEI stays in the BL; the three RPUs come out in display order.
  const auto in = Sample("sei-suffix-muxed-rpu.hevc");
  MemorySource src(in, 3);
  MemorySink rpus;
  auto stats = ExtractRpus(src, rpus);
  REQUIRE(stats.ok());
  CHECK(stats->access_units == 3);
  CHECK(stats->rpus == 3);
}

}  // namespace
}  // namespace mkvfleet::dvstream
