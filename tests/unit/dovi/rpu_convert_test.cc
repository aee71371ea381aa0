// Every conversion with an expected result in the samples README is reproduced byte for byte;
// FEL to 8.1 (no expected file) is checked field by field.
#include "common/dovi/rpu_convert.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/dovi/rpu_profile.h"
#include "tests/unit/dovi/dovi_test_util.h"

namespace mkvfleet::dovi {
namespace {

using testing::Hex;
using testing::SinglePayload;

struct Case {
  const char* input;
  ConversionMode mode;
  const char* expected;
};

TEST_CASE("Conversions reproduce the reference outputs byte for byte", "[dovi][convert]") {
  const Case cases[] = {
      {"fel_orig.bin", ConversionMode::kToMel, "fel_to_mel.bin"},
      {"fel_to_mel.bin", ConversionMode::kTo81, "fel_to_81.bin"},
      {"fel_orig.bin", ConversionMode::kTo81KeepMapping, "fel_to_81.bin"},
      {"mel_orig.bin", ConversionMode::kToMel, "mel_to_mel.bin"},
      {"mel_orig.bin", ConversionMode::kTo81, "mel_to_81.bin"},
      {"mel_to_81.bin", ConversionMode::kToMel, "mel_orig.bin"},
      {"profile5.bin", ConversionMode::kTo81, "profile8.bin"},
      {"profile8.bin", ConversionMode::kTo81, "profile8.bin"},
      {"profile8.bin", ConversionMode::kTo84, "profile84.bin"},
      {"profile5.bin", ConversionMode::kTo84, "profile84.bin"},
      {"trailing_bytes_rpu.bin", ConversionMode::kRewrite, "trailing_bytes_rpu.bin"},
  };
  for (const Case& c : cases) {
    INFO(c.input << " mode " << static_cast<int>(c.mode) << " -> " << c.expected);
    auto out = ConvertRpuPayload(SinglePayload(c.input), c.mode);
    INFO(out.status().ToString());
    REQUIRE(out.ok());
    const std::vector<uint8_t> expected = SinglePayload(c.expected);
    CHECK(Hex(*out) == Hex(expected));
    // The overload writing into a caller's buffer gives the same bytes, also when the buffer
    // is reused and held something longer before.
    std::vector<uint8_t> buffer(4096, 0xEE);
    REQUIRE(ConvertRpuPayload(SinglePayload(c.input), c.mode, buffer).ok());
    CHECK(Hex(buffer) == Hex(expected));
  }
}

TEST_CASE("FEL to 8.1 (mode 2): profile 8, identity curves, no NLQ, DM unchanged",
          "[dovi][convert]") {
  const std::vector<uint8_t> payload = SinglePayload("fel_orig.bin");
  auto original = ParseRpu(payload);
  REQUIRE(original.ok());
  REQUIRE(DetectElType(*original) == ElType::kFel);
  auto out = ConvertRpuPayload(payload, ConversionMode::kTo81);
  REQUIRE(out.ok());
  auto rpu = ParseRpu(*out);
  REQUIRE(rpu.ok());
  CHECK(DetectProfile(rpu->header) == 8);
  CHECK(DetectElType(*rpu) == ElType::kNone);
  CHECK(rpu->header.disable_residual_flag);
  CHECK_FALSE(rpu->header.el_spatial_resampling_filter_flag);
  REQUIRE(rpu->mapping.has_value());
  CHECK_FALSE(rpu->mapping->nlq.has_value());
  for (const ReshapingCurve& curve : rpu->mapping->curves) CHECK(curve.IsIdentity());
  // The DM payload (matrices, signal, every extension block) is written exactly as before: the
  // FEL sample already carries the 8.1 matrices.
  Rpu dm_only_original = *original;
  Rpu dm_only_converted = *rpu;
  dm_only_original.header = dm_only_converted.header = Profile8Header();
  dm_only_original.mapping = dm_only_converted.mapping = Profile84Mapping();
  CHECK(Hex(*WriteRpu(dm_only_original)) == Hex(*WriteRpu(dm_only_converted)));
  // And it round-trips.
  auto again = WriteRpu(*rpu);
  REQUIRE(again.ok());
  CHECK(*again == *out);
}

TEST_CASE("empty_dmv1_blocks.bin converts to a profile 8 RPU that parses again",
          "[dovi][convert]") {
  auto out = ConvertRpuPayload(SinglePayload("empty_dmv1_blocks.bin"), ConversionMode::kTo81);
  REQUIRE(out.ok());
  auto rpu = ParseRpu(*out);
  REQUIRE(rpu.ok());
  CHECK(DetectProfile(rpu->header) == 8);
  for (const ReshapingCurve& curve : rpu->mapping->curves) CHECK(curve.IsIdentity());
}

TEST_CASE("Modes that do not apply to a profile fail and leave the RPU alone", "[dovi][convert]") {
  auto rpu = ParseRpu(SinglePayload("profile5.bin"));
  REQUIRE(rpu.ok());
  const std::vector<uint8_t> before = *WriteRpu(*rpu);
  for (ConversionMode mode : {ConversionMode::kToMel, ConversionMode::kTo81KeepMapping}) {
    absl::Status s = ConvertRpu(*rpu, mode);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(s.message()) == "RPU: conversion mode " +
                                          std::to_string(static_cast<int>(mode)) +
                                          " does not apply to profile 5");
  }
  CHECK(*WriteRpu(*rpu) == before);
  absl::Status unknown = ConvertRpu(*rpu, static_cast<ConversionMode>(3));
  CHECK(std::string(unknown.message()) == "RPU: unknown conversion mode 3");
}

}  // namespace
}  // namespace mkvfleet::dovi
