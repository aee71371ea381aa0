// NalSplitter on literal byte patterns, at every chunk boundary, and on the SEI edge-case samples.
#include "common/hevc/nal_splitter.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/hevc/nal_unit.h"
#include "tests/test_paths.h"

namespace mkvfleet::hevc {
namespace {

struct Split {
  std::vector<std::vector<uint8_t>> nals;
  std::vector<int> start_codes;
  absl::Status status;
};

// Feeds `data` in chunks of `chunk` bytes and collects the NALs.
Split SplitAll(const std::vector<uint8_t>& data, size_t chunk, size_t max_nal = 1 << 20) {
  Split out;
  NalSplitter splitter(max_nal);
  auto sink = [&](const AnnexBNal& nal) {
    out.nals.emplace_back(nal.data.begin(), nal.data.end());
    out.start_codes.push_back(nal.start_code_size);
    return absl::OkStatus();
  };
  for (size_t pos = 0; pos < data.size() && out.status.ok(); pos += chunk) {
    const size_t n = std::min(chunk, data.size() - pos);
    out.status = splitter.Feed(absl::MakeConstSpan(data.data() + pos, n), sink);
  }
  if (out.status.ok()) out.status = splitter.Finish(sink);
  return out;
}

std::vector<uint8_t> Sample(const std::string& name) {
  const std::string s = testing::ReadFileOrFail(testing::DoviSamplesDir() + "/hevc/" + name);
  return {s.begin(), s.end()};
}

using Bytes = std::vector<uint8_t>;

TEST_CASE("3- and 4-byte start codes", "[hevc][splitter]") {
  const Bytes data = {0,    0,    0,    1, 0x46, 0x01, 0x10, 0,    0,    1,
                      0x4E, 0x01, 0x05, 0, 0,    0,    1,    0x7C, 0x01, 0x19};
  for (size_t chunk = 1; chunk <= data.size(); ++chunk) {
    Split s = SplitAll(data, chunk);
    REQUIRE(s.status.ok());
    REQUIRE(s.nals.size() == 3);
    CHECK(s.nals[0] == Bytes{0x46, 0x01, 0x10});
    CHECK(s.nals[1] == Bytes{0x4E, 0x01, 0x05});
    CHECK(s.nals[2] == Bytes{0x7C, 0x01, 0x19});
    CHECK(s.start_codes == std::vector<int>{4, 3, 4});
  }
}

TEST_CASE("leading and trailing zero bytes are not part of any NAL", "[hevc][splitter]") {
  const Bytes data = {0, 0, 0, 0, 0, 1, 0x40, 0x01, 0x0C, 0, 0, 0, 0, 0, 1, 0x42, 0x01, 0, 0, 0};
  Split s = SplitAll(data, 1);
  REQUIRE(s.status.ok());
  REQUIRE(s.nals.size() == 2);
  CHECK(s.nals[0] == Bytes{0x40, 0x01, 0x0C});
  CHECK(s.nals[1] == Bytes{0x42, 0x01});
  CHECK(s.start_codes == std::vector<int>{4, 4});
}

TEST_CASE("zeros inside a NAL that do not form a start code stay in it", "[hevc][splitter]") {
  // 00 00 03 (emulation prevention), 00 00 02 and a single 00 are payload.
  const Bytes data = {0, 0, 1, 0x4E, 0x01, 0, 0, 3, 1, 0, 0, 2, 0, 0x80};
  Split s = SplitAll(data, 1);
  REQUIRE(s.status.ok());
  REQUIRE(s.nals.size() == 1);
  CHECK(s.nals[0] == Bytes(data.begin() + 3, data.end()));
  CHECK(s.start_codes[0] == 3);
}

TEST_CASE("bytes before the first start code are an error", "[hevc][splitter]") {
  CHECK(SplitAll({0x47, 0x40, 0x00, 0x10}, 4).status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(SplitAll({0, 1, 0x40, 0x01}, 1).status.code() == absl::StatusCode::kInvalidArgument);
  // Nothing but zeros is an empty stream.
  Split empty = SplitAll({0, 0, 0}, 1);
  CHECK(empty.status.ok());
  CHECK(empty.nals.empty());
}

TEST_CASE("empty NALs and oversized NALs are errors", "[hevc][splitter]") {
  Split two = SplitAll({0, 0, 1, 0, 0, 1, 0x40, 0x01}, 3);
  CHECK(two.status.code() == absl::StatusCode::kInvalidArgument);
  Split at_end = SplitAll({0, 0, 1, 0x40, 0x01, 0, 0, 1}, 3);
  CHECK(at_end.status.code() == absl::StatusCode::kInvalidArgument);
  Bytes big = {0, 0, 1, 0x40, 0x01};
  big.resize(200, 0x55);
  Split too_big = SplitAll(big, 16, /*max_nal=*/100);
  CHECK(too_big.status.code() == absl::StatusCode::kResourceExhausted);
}

TEST_CASE("a sink error stops splitting and is returned", "[hevc][splitter]") {
  NalSplitter splitter;
  const Bytes data = {0, 0, 1, 0x40, 0x01, 0, 0, 1, 0x42, 0x01};
  int calls = 0;
  auto sink = [&](const AnnexBNal&) {
    ++calls;
    return absl::CancelledError("stop");
  };
  CHECK(splitter.Feed(data, sink).code() == absl::StatusCode::kCancelled);
  CHECK(calls == 1);
}

TEST_CASE("every sample splits the same one byte at a time as whole", "[hevc][splitter]") {
  for (const char* name : {"regular.hevc", "regular_start_code_4_muxed_el.hevc", "no_aud_bl.hevc",
                           "sei-double-3byte-case.hevc", "sei-double-3byte-start-code-4.hevc",
                           "sei-suffix-muxed-rpu.hevc", "regular_rpu.bin"}) {
    INFO(name);
    const Bytes data = Sample(name);
    Split whole = SplitAll(data, data.size());
    REQUIRE(whole.status.ok());
    Split bytewise = SplitAll(data, 1);
    REQUIRE(bytewise.status.ok());
    CHECK(whole.nals == bytewise.nals);
    CHECK(whole.start_codes == bytewise.start_codes);
    // Re-joining with the reported start codes gives the input back (these files have no
    // leading or trailing zeros).
    Bytes joined;
    for (size_t i = 0; i < whole.nals.size(); ++i) {
      if (whole.start_codes[i] == 4) joined.push_back(0);
      joined.insert(joined.end(), {0, 0, 1});
      joined.insert(joined.end(), whole.nals[i].begin(), whole.nals[i].end());
    }
    CHECK(joined == data);
  }
}

TEST_CASE("SEI payloads next to start-code-like bytes split correctly", "[hevc][splitter]") {
  for (const char* name : {"sei-double-3byte-case.hevc", "sei-double-3byte-start-code-4.hevc"}) {
    INFO(name);
    Split s = SplitAll(Sample(name), 5);
    REQUIRE(s.status.ok());
    REQUIRE(s.nals.size() == 4);
    CHECK(NalTypeOf(s.nals[0]) == kVps);
    CHECK(NalTypeOf(s.nals[1]) == kSps);
    CHECK(NalTypeOf(s.nals[2]) == kPps);
    CHECK(NalTypeOf(s.nals[3]) == kSeiPrefix);
    // The PPS ends in c9: the zero after it belongs to the next start code, not to the PPS.
    CHECK(s.nals[2].back() == 0xC9);
    CHECK(s.nals[3].size() == 57);
  }
  CHECK(SplitAll(Sample("sei-double-3byte-case.hevc"), 1).start_codes ==
        std::vector<int>{4, 4, 4, 3});
}

}  // namespace
}  // namespace mkvfleet::hevc
