// RPU slices as RPU files and their SHA-256, against known digests and a real RPU file.
#include "common/chunk/rpu_slice.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/dovi/rpu_file_bytes.h"
#include "tests/test_paths.h"

namespace mkvfleet::chunk {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST_CASE("SHA-256 of known inputs, lowercase hex", "[chunk][rpu_slice]") {
  auto abc = Sha256Hex(Bytes("abc"));
  REQUIRE(abc.ok());
  CHECK(*abc == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto empty = Sha256Hex({});
  REQUIRE(empty.ok());
  CHECK(*empty == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("a slice is the RPU file of exactly its frames", "[chunk][rpu_slice]") {
  const std::vector<std::vector<uint8_t>> rpus = {{0x19, 0x01}, {0x19, 0x02, 0x02}, {0x19, 0x03}};
  const std::vector<absl::Span<const uint8_t>> payloads(rpus.begin(), rpus.end());
  auto slice = SliceRpus(payloads, 1, 2);
  REQUIRE(slice.ok());
  CHECK(*slice == std::vector<uint8_t>{0, 0, 0, 1, 0x19, 0x02, 0x02, 0, 0, 0, 1, 0x19, 0x03});
  slice = SliceRpus(payloads, 0, 1);
  REQUIRE(slice.ok());
  CHECK(*slice == std::vector<uint8_t>{0, 0, 0, 1, 0x19, 0x01});
}

TEST_CASE("slices of a real RPU file put back together give the file", "[chunk][rpu_slice]") {
  const std::vector<uint8_t> file =
      Bytes(testing::ReadFileOrFail(testing::DoviSamplesDir() + "/hevc/regular_rpu.bin"));
  auto payloads = dovi::ParseRpuFile(file);
  REQUIRE(payloads.ok());
  REQUIRE(payloads->size() == 259);
  std::vector<uint8_t> joined;
  for (auto [first, frames] : {std::pair{0, 100}, std::pair{100, 59}, std::pair{159, 100}}) {
    auto slice = SliceRpus(*payloads, first, frames);
    REQUIRE(slice.ok());
    auto parts = dovi::ParseRpuFile(*slice);
    REQUIRE(parts.ok());
    CHECK(parts->size() == static_cast<size_t>(frames));
    joined.insert(joined.end(), slice->begin(), slice->end());
  }
  CHECK(joined == file);
  CHECK(*Sha256Hex(joined) == *Sha256Hex(file));
  CHECK(*Sha256Hex(*SliceRpus(*payloads, 0, 258)) != *Sha256Hex(file));
}

TEST_CASE("a slice outside the RPUs is refused", "[chunk][rpu_slice]") {
  const std::vector<std::vector<uint8_t>> rpus = {{0x19, 0x01}, {0x19, 0x02}, {0x19, 0x03}};
  const std::vector<absl::Span<const uint8_t>> payloads(rpus.begin(), rpus.end());
  struct Row {
    int64_t first, frames;
    const char* message;
  };
  for (Row row : {Row{-1, 2, "RPU slice [-1, 1) is not inside the 3 RPUs of the title"},
                  Row{2, 2, "RPU slice [2, 4) is not inside the 3 RPUs of the title"},
                  Row{0, 0, "RPU slice [0, 0) is not inside the 3 RPUs of the title"},
                  Row{4, 1, "RPU slice [4, 5) is not inside the 3 RPUs of the title"}}) {
    auto slice = SliceRpus(payloads, row.first, row.frames);
    CHECK(slice.status() == absl::OutOfRangeError(row.message));
  }
}

}  // namespace
}  // namespace mkvfleet::chunk
