// Bit-level tests of the Dolby Vision configuration record parser on literal records.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "common/mkv/dovi_config.h"

namespace mkvfleet::mkv {
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

TEST_CASE("a record shorter than five bytes is an error") {
  std::vector<uint8_t> bytes = {0x01, 0x00, 0x11, 0x0d};
  auto r = ParseDoviConfigRecord(bytes);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("4 bytes") != std::string::npos);
}

}  // namespace
}  // namespace mkvfleet::mkv
