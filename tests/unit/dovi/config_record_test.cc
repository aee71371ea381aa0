// Bit-level tests of the Dolby Vision configuration record parser and writer on literal records.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "common/dovi/config_record.h"

namespace mkvfleet::dovi {
namespace {

TEST_CASE("profile 7 Blu-ray record as mkvmerge writes it") {
  // mkvinfo: "Block addition ID extra data: 0x01 0x00 0x0e 0x0f 0x60 ..."
  std::vector<uint8_t> bytes = {0x01, 0x00, 0x0e, 0x0f, 0x60, 0, 0, 0};
  auto r = ParseDoviConfigRecord(bytes);
  REQUIRE(r.ok());
  CHECK(r->dv_version_major == 1);
  CHECK(r->dv_version_minor == 0);
  CHECK(r->dv_profile == 7);
  CHECK(r->dv_level == 1);
  CHECK(r->rpu_present_flag);
  CHECK(r->el_present_flag);
  CHECK(r->bl_present_flag);
  CHECK(r->dv_bl_signal_compatibility_id == 6);
  CHECK(DescribeDoviConfig(*r) == "profile 7 level 1 rpu el bl compat 6");
}

TEST_CASE("profile 8.1 record with a level above 31 uses the split level bits") {
  // profile 8, level 33 (0b100001): byte2 = 8<<1 | 1, byte3 = 0b00001'1'0'1
  std::vector<uint8_t> bytes = {0x01, 0x00, 0x11, 0x0d, 0x10};
  auto r = ParseDoviConfigRecord(bytes);
  REQUIRE(r.ok());
  CHECK(r->dv_profile == 8);
  CHECK(r->dv_level == 33);
  CHECK(r->rpu_present_flag);
  CHECK_FALSE(r->el_present_flag);
  CHECK(r->bl_present_flag);
  CHECK(r->dv_bl_signal_compatibility_id == 1);
}

TEST_CASE("Profile81Record serializes to the 24-byte record players expect") {
  const std::vector<uint8_t> level6 = SerializeDoviConfigRecord(Profile81Record(6));
  std::vector<uint8_t> want(24, 0);
  want[0] = 0x01;
  want[2] = 0x10;  // profile 8, level bit 5 clear
  want[3] = 0x35;  // level 6, rpu, no el, bl
  want[4] = 0x10;  // compatibility 1
  CHECK(level6 == want);
  // Level 33 needs the split level bits: the literal of the test above.
  const std::vector<uint8_t> level33 = SerializeDoviConfigRecord(Profile81Record(33));
  CHECK(std::vector<uint8_t>(level33.begin(), level33.begin() + 5) ==
        std::vector<uint8_t>{0x01, 0x00, 0x11, 0x0d, 0x10});
  auto back = ParseDoviConfigRecord(level33);
  REQUIRE(back.ok());
  CHECK(*back == Profile81Record(33));
}

TEST_CASE("a record shorter than five bytes is an error") {
  std::vector<uint8_t> bytes = {0x01, 0x00, 0x11, 0x0d};
  auto r = ParseDoviConfigRecord(bytes);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("4 bytes") != std::string::npos);
}

}  // namespace
}  // namespace mkvfleet::dovi
