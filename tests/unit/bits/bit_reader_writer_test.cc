// Bit-level tests on literal patterns for BitReader, BitWriter and emulation prevention.
#include <catch2/catch.hpp>

#include <random>

#include "common/bits/bit_reader.h"
#include "common/bits/bit_writer.h"
#include "common/bits/emulation_prevention.h"

namespace mkvfleet::bits {
namespace {

TEST_CASE("BitReader reads MSB first across byte boundaries", "[bits]") {
  const uint8_t data[] = {0b10110011, 0b01011100};
  BitReader r(data);
  CHECK(r.ReadBits(1) == 1);
  CHECK(r.ReadBits(3) == 0b011);
  CHECK(r.ReadBits(6) == 0b001101);
  CHECK(r.ReadBits(6) == 0b011100);
  CHECK(r.ok());
  CHECK(r.bits_left() == 0);
}

TEST_CASE("BitReader latches an overrun and reports where", "[bits]") {
  const uint8_t data[] = {0xFF};
  BitReader r(data);
  CHECK(r.ReadBits(4) == 0xF);
  CHECK(r.ReadBits(8) == 0);
  CHECK_FALSE(r.ok());
  auto st = r.status("test header");
  CHECK(st.code() == absl::StatusCode::kOutOfRange);
  CHECK(std::string(st.message()).find("bit 4 of 8") != std::string::npos);
}

TEST_CASE("Exp-Golomb codes decode the spec's table", "[bits]") {
  // 1 | 010 | 011 | 00100 | 00101 -> ue 0,1,2,3,4
  const uint8_t data[] = {0b10100110, 0b01000010, 0b10000000};
  BitReader r(data);
  CHECK(r.ReadUe() == 0);
  CHECK(r.ReadUe() == 1);
  CHECK(r.ReadUe() == 2);
  CHECK(r.ReadUe() == 3);
  CHECK(r.ReadUe() == 4);
  CHECK(r.ok());
}

TEST_CASE("Exp-Golomb with too many leading zeros is an error, not a hang", "[bits]") {
  const uint8_t data[8] = {0};
  BitReader r(data);
  r.ReadUe();
  CHECK_FALSE(r.ok());
}

TEST_CASE("BitWriter round-trips through BitReader", "[bits]") {
  std::mt19937_64 rng(7);
  BitWriter w;
  std::vector<std::pair<uint64_t, int>> fields;
  std::vector<int64_t> signed_values;
  for (int i = 0; i < 500; ++i) {
    int n = static_cast<int>(rng() % 65);
    uint64_t v = n == 64 ? rng() : (rng() & ((uint64_t{1} << n) - 1));
    fields.emplace_back(v, n);
    w.WriteBits(v, n);
    int64_t s = static_cast<int64_t>(rng() % 100000) - 50000;
    signed_values.push_back(s);
    w.WriteSe(s);
    w.WriteUe(static_cast<uint64_t>(i));
  }
  w.WriteTrailingBits();
  REQUIRE(w.byte_aligned());
  BitReader r(w.bytes());
  for (int i = 0; i < 500; ++i) {
    CHECK(r.ReadBits(fields[i].second) == fields[i].first);
    CHECK(r.ReadSe() == signed_values[i]);
    CHECK(r.ReadUe() == static_cast<uint64_t>(i));
  }
  CHECK(r.ReadFlag());
  CHECK(r.ok());
}

TEST_CASE("Emulation prevention inserts and removes 0x03 exactly where the spec says", "[bits]") {
  const std::vector<uint8_t> rbsp = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00};
  const std::vector<uint8_t> escaped = AddEmulationPrevention(rbsp);
  const std::vector<uint8_t> expected = {0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03,
                                         0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00};
  CHECK(escaped == expected);
  CHECK(RemoveEmulationPrevention(escaped) == rbsp);

  std::mt19937 rng(3);
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> x(rng() % 64);
    for (auto& b : x) b = static_cast<uint8_t>(rng() % 4);  // dense in 0..3 to hit every case
    CHECK(RemoveEmulationPrevention(AddEmulationPrevention(x)) == x);
  }
}

// The byte-at-a-time definition of both directions (H.265 7.4.2 / 7.3.1.1).
std::vector<uint8_t> AddByBytes(const std::vector<uint8_t>& rbsp) {
  std::vector<uint8_t> out;
  int zeros = 0;
  for (uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push_back(3);
      zeros = 0;
    }
    out.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return out;
}
std::vector<uint8_t> RemoveByBytes(const std::vector<uint8_t>& escaped) {
  std::vector<uint8_t> out;
  int zeros = 0;
  for (uint8_t b : escaped) {
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;
    }
    out.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return out;
}

TEST_CASE("Vectorised emulation prevention matches the byte-at-a-time definition", "[bits]") {
  // Lengths around the 16- and 32-byte steps and the padded tail; zero-dense and sparse data.
  std::mt19937 rng(17);
  for (int i = 0; i < 4000; ++i) {
    std::vector<uint8_t> x(rng() % 200);
    const unsigned range = i % 3 == 0 ? 256 : 2 + rng() % 4;
    for (auto& b : x) b = static_cast<uint8_t>(rng() % range);
    INFO("size " << x.size());
    REQUIRE(AddEmulationPrevention(x) == AddByBytes(x));
    REQUIRE(RemoveEmulationPrevention(x) == RemoveByBytes(x));
    std::vector<uint8_t> appended = {0, 0};  // appending after existing bytes
    AppendEmulationPrevention(x, appended);
    std::vector<uint8_t> want = {0, 0};
    const std::vector<uint8_t> add = AddByBytes(x);
    want.insert(want.end(), add.begin(), add.end());
    REQUIRE(appended == want);
  }
}

}  // namespace
}  // namespace mkvfleet::bits
