// Exact field values read from the samples: profile and EL detection, CRC, L1 numbers, block
// order, and level 1 editing and the `dovi info` summary built on them.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "common/bits/bit_reader.h"
#include "common/bits/bit_writer.h"
#include "common/dovi/crc32.h"
#include "common/dovi/rpu_nlq.h"
#include "common/dovi/rpu_profile.h"
#include "common/dovi/rpu_summary.h"
#include "tests/unit/dovi/dovi_test_util.h"

namespace mkvfleet::dovi {
namespace {

using testing::Hex;
using testing::SamplePayloads;
using testing::SinglePayload;

Rpu ParseSample(const std::string& name) {
  auto rpu = ParseRpu(SinglePayload(name));
  INFO(name << ": " << rpu.status().ToString());
  REQUIRE(rpu.ok());
  return *rpu;
}

// rpu_data_nlq() read field by field with the BitReader, as ParseNlqParams reads it when its
// whole-word fast path is unsure: the reference that fast path must match.
absl::Status ReferenceNlqParams(bits::BitReader& r, const RpuHeader& h, RpuNlq& nlq) {
  const int coef_bits = h.coefficient_bits();
  const bool fixed = h.coefficient_data_type == 0;
  for (int c = 0; c < kNumComponents; ++c) {
    nlq.nlq_offset[c] = static_cast<uint16_t>(r.ReadBits(h.el_bit_depth()));
    if (fixed) nlq.vdr_in_max_int[c] = r.ReadUe();
    nlq.vdr_in_max[c] = r.ReadBits(coef_bits);
    if (fixed) nlq.linear_deadzone_slope_int[c] = r.ReadUe();
    nlq.linear_deadzone_slope[c] = r.ReadBits(coef_bits);
    if (fixed) nlq.linear_deadzone_threshold_int[c] = r.ReadUe();
    nlq.linear_deadzone_threshold[c] = r.ReadBits(coef_bits);
  }
  return r.status("RPU: rpu_data_nlq");
}

TEST_CASE("NLQ parameters read alike on every path: phases, long codes, truncations",
          "[dovi][nlq]") {
  std::mt19937_64 rng(99);
  int whole_ok = 0;
  for (int round = 0; round < 400; ++round) {
    RpuHeader h;
    h.coefficient_data_type = rng() % 5 == 0 ? 1 : 0;
    const uint32_t denoms[] = {0, 1, 12, 23, 32};
    h.coefficient_log2_denom = denoms[rng() % 5];
    h.el_bit_depth_minus8 = static_cast<uint32_t>(rng() % 9);
    const int coef_bits = h.coefficient_bits();
    auto coef = [&] { return coef_bits == 0 ? 0 : rng() >> (64 - coef_bits); };
    // Mostly short codes; sometimes codes of 29 or 30 leading zeros (valid, but beyond what a
    // single word holds) or of more than 32 (an error).
    auto integer = [&]() -> uint64_t {
      const uint64_t kind = rng() % 64;
      if (kind < 4) return (rng() >> 35) | (uint64_t{1} << 29);
      if (kind == 4) return rng() >> 20;
      return rng() % 9;
    };
    RpuNlq nlq;
    for (int c = 0; c < kNumComponents; ++c) {
      nlq.nlq_offset[c] = static_cast<uint16_t>(rng() >> (64 - h.el_bit_depth()));
      if (h.coefficient_data_type == 0) {
        nlq.vdr_in_max_int[c] = integer();
        nlq.linear_deadzone_slope_int[c] = integer();
        nlq.linear_deadzone_threshold_int[c] = integer();
      }
      nlq.vdr_in_max[c] = coef();
      nlq.linear_deadzone_slope[c] = coef();
      nlq.linear_deadzone_threshold[c] = coef();
    }
    bits::BitWriter w;
    const int phase = static_cast<int>(rng() % 8);
    w.WriteBits(0, phase);
    WriteNlqParams(nlq, h, w);
    const size_t end_bit = w.position();
    for (int i = 0; i < static_cast<int>(rng() % 80); ++i) w.WriteBits(rng(), 8);
    const std::vector<uint8_t> bytes = w.Take();
    for (size_t len = bytes.size() + 1; len-- > 0;) {
      const absl::Span<const uint8_t> data(bytes.data(), len);
      bits::BitReader fast_reader(data), ref_reader(data);
      fast_reader.Skip(phase);
      ref_reader.Skip(phase);
      RpuNlq got, want;
      const absl::Status got_status = ParseNlqParams(fast_reader, h, got);
      const absl::Status want_status = ReferenceNlqParams(ref_reader, h, want);
      INFO("round " << round << " length " << len << " of " << bytes.size());
      REQUIRE(got_status.ToString() == want_status.ToString());
      REQUIRE(fast_reader.position() == ref_reader.position());
      if (want_status.ok()) REQUIRE(got == want);
      // (A ue(v) that starts exactly at the end of the data reads as 0 without an error: the
      // BitReader's behaviour, which both paths share.)
      if (want_status.ok() && 8 * len >= end_bit) {
        REQUIRE(got == nlq);
        REQUIRE(fast_reader.position() == end_bit);
        whole_ok += len == bytes.size();
      }
    }
  }
  CHECK(whole_ok > 100);
}

TEST_CASE("CRC-32/MPEG-2 check value", "[dovi][crc]") {
  const std::string check = "123456789";
  CHECK(Crc32Mpeg2(absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(check.data()),
                                             check.size())) == 0x0376E6E7u);
  CHECK(Crc32Mpeg2({}) == 0xFFFFFFFFu);
}

TEST_CASE("CRC-32/MPEG-2 folding matches the table method at every length", "[dovi][crc]") {
  std::mt19937 rng(23);
  for (size_t n = 0; n < 700; ++n) {
    std::vector<uint8_t> data(n);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    INFO("length " << n);
    REQUIRE(Crc32Mpeg2(data) == Crc32Mpeg2Table(data));
  }
}

TEST_CASE("source_p5_to_p8_001_end_crc32.bin stores and matches CRC 82 D6 BE 55", "[dovi][crc]") {
  const std::vector<uint8_t> payload = SinglePayload("source_p5_to_p8_001_end_crc32.bin");
  CHECK(Hex(absl::MakeConstSpan(payload).last(5)) == "82 D6 BE 55 80");
  CHECK(ParseSample("source_p5_to_p8_001_end_crc32.bin").rpu_data_crc32 == 0x82D6BE55u);
}

TEST_CASE("A corrupted CRC is reported with both values", "[dovi][crc]") {
  std::vector<uint8_t> payload = SinglePayload("profile8.bin");
  payload[payload.size() - 2] ^= 0x01;  // last CRC byte: D2 D3 F7 22 -> ... 23
  auto rpu = ParseRpu(payload);
  REQUIRE_FALSE(rpu.ok());
  CHECK(std::string(rpu.status().message()) ==
        "RPU: CRC mismatch: stored 0xD2D3F723 computed 0xD2D3F722");
}

TEST_CASE("Profile and EL type of every sample", "[dovi][profile]") {
  struct Expect {
    const char* name;
    int profile;
    ElType el;
  };
  const Expect expects[] = {
      {"profile4.bin", 4, ElType::kFel},
      {"profile5.bin", 5, ElType::kNone},
      {"profile8.bin", 8, ElType::kNone},
      {"profile84.bin", 8, ElType::kNone},
      {"profile20_apple.bin", 5, ElType::kNone},
      {"empty_dmv1_blocks.bin", 5, ElType::kNone},
      {"fel_orig.bin", 7, ElType::kFel},
      {"fel_to_mel.bin", 7, ElType::kMel},
      {"fel_to_81.bin", 8, ElType::kNone},
      {"mel_orig.bin", 7, ElType::kMel},
      {"mel_to_mel.bin", 7, ElType::kMel},
      {"mel_to_81.bin", 8, ElType::kNone},
      {"data_before_crc32.bin", 7, ElType::kFel},
      {"fix_se_write.bin", 7, ElType::kFel},
      {"eof_rpu.bin", 7, ElType::kFel},
      {"trailing_bytes_rpu.bin", 7, ElType::kFel},
      {"source_rpu_replaced_fel_orig.bin", 7, ElType::kFel},
      {"unordered_l8_blocks.bin", 8, ElType::kNone},
      {"source_p5_to_p8_001_end_crc32.bin", 5, ElType::kNone},
  };
  for (const Expect& e : expects) {
    INFO(e.name);
    const Rpu rpu = ParseSample(e.name);
    CHECK(DetectProfile(rpu.header) == e.profile);
    CHECK(DetectElType(rpu) == e.el);
  }
  CHECK(DetectProfile8Compatibility(ParseSample("profile8.bin")) == 1);
  CHECK(DetectProfile8Compatibility(ParseSample("profile84.bin")) == 4);
  CHECK(DetectProfile8Compatibility(ParseSample("profile5.bin")) == 0);
  CHECK(std::string(ElTypeName(ElType::kFel)) == "FEL");
  CHECK(std::string(ElTypeName(ElType::kMel)) == "MEL");
}

TEST_CASE("Header, NLQ and DM values of fel_orig.bin", "[dovi][fields]") {
  const Rpu rpu = ParseSample("fel_orig.bin");
  CHECK(rpu.header.rpu_format == 18);
  CHECK(rpu.header.vdr_rpu_profile == 1);
  CHECK(rpu.header.bl_bit_depth_minus8 == 2);
  CHECK(rpu.header.vdr_bit_depth_minus8 == 4);
  CHECK(rpu.header.coefficient_log2_denom == 23);
  REQUIRE(rpu.mapping->nlq.has_value());
  CHECK(rpu.mapping->nlq->nlq_offset == std::array<uint16_t, 3>{512, 512, 512});
  CHECK(rpu.mapping->nlq->nlq_pred_pivot_value == std::array<uint16_t, 2>{0, 1023});
  const VdrDmData& dm = *rpu.vdr_dm_data;
  CHECK(dm.cm_version() == CmVersion::kV29);
  CHECK(dm.source_min_pq == 7);
  CHECK(dm.source_max_pq == 3079);
  CHECK(dm.signal_eotf == 65535);
  REQUIRE(dm.level1() != nullptr);
  CHECK(dm.level1()->min_pq == 0);
  CHECK(dm.level1()->max_pq == 2873);
  CHECK(dm.level1()->avg_pq == 1060);
}

TEST_CASE("Apple profile 20 RPU keeps ext_mapping_idc and is CM v4.0", "[dovi][fields]") {
  const Rpu rpu = ParseSample("profile20_apple.bin");
  CHECK(rpu.header.el_bit_depth_minus8 == 2);
  CHECK(rpu.header.ext_mapping_idc_0_4 == 4);
  CHECK(rpu.header.ext_mapping_idc_5_7 == 7);
  CHECK(rpu.vdr_dm_data->cm_version() == CmVersion::kV40);
  CHECK(std::string(CmVersionName(rpu.vdr_dm_data->cm_version())) == "4.0");
}

TEST_CASE("unordered_l8_blocks.bin: blocks stay in coded order", "[dovi][fields]") {
  const Rpu rpu = ParseSample("unordered_l8_blocks.bin");
  REQUIRE(rpu.vdr_dm_data->cmv40.has_value());
  std::string levels;
  std::vector<int> l8_targets;
  for (const DmExtBlock& b : rpu.vdr_dm_data->cmv40->blocks) {
    levels += std::to_string(b.ext_block_level) + " ";
    if (const auto* l8 = std::get_if<DmLevel8>(&b.payload))
      l8_targets.push_back(l8->target_display_index);
  }
  CHECK(levels == "3 8 8 9 10 10 11 254 ");
  REQUIRE(l8_targets.size() == 2);
  CHECK(l8_targets[0] > l8_targets[1]);  // not sorted, and kept so
}

TEST_CASE("SetLevel1 edits per-frame L1 with a correct CRC", "[dovi][l1]") {
  Rpu rpu = ParseSample("profile8.bin");
  REQUIRE(SetLevel1(rpu, 1, 3000, 1500).ok());
  auto bytes = WriteRpu(rpu);
  REQUIRE(bytes.ok());
  auto again = ParseRpu(*bytes);
  REQUIRE(again.ok());
  const DmLevel1* l1 = again->vdr_dm_data->level1();
  REQUIRE(l1 != nullptr);
  CHECK(l1->min_pq == 1);
  CHECK(l1->max_pq == 3000);
  CHECK(l1->avg_pq == 1500);
  CHECK(again->vdr_dm_data->cmv29.blocks.size() == 5);  // edited in place, none added

  CHECK(SetLevel1(rpu, 0, 4096, 0).code() == absl::StatusCode::kInvalidArgument);
  Rpu no_dm = rpu;
  no_dm.vdr_dm_data.reset();
  CHECK(SetLevel1(no_dm, 0, 1, 0).code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("SetLevel1 adds a level 1 block where there is none", "[dovi][l1]") {
  Rpu rpu = ParseSample("empty_dmv1_blocks.bin");
  REQUIRE(rpu.vdr_dm_data->cmv29.blocks.empty());
  REQUIRE(rpu.vdr_dm_data->level1() == nullptr);
  REQUIRE(SetLevel1(rpu, 0, 2081, 819).ok());
  auto again = ParseRpu(*WriteRpu(rpu));
  REQUIRE(again.ok());
  REQUIRE(again->vdr_dm_data->cmv29.blocks.size() == 1);
  CHECK(again->vdr_dm_data->cmv29.blocks[0].ext_block_length == 5);
  CHECK(again->vdr_dm_data->level1()->max_pq == 2081);
}

TEST_CASE("RpuSummary aggregates profile, EL, CM version, L1 and scene cuts", "[dovi][summary]") {
  const Rpu base = ParseSample("fel_orig.bin");  // scene_refresh_flag 0
  RpuSummaryBuilder builder;
  const uint16_t values[][2] = {{2000, 500}, {3000, 700}, {1000, 900}};
  for (int i = 0; i < 3; ++i) {
    Rpu rpu = base;
    REQUIRE(SetLevel1(rpu, 0, values[i][0], values[i][1]).ok());
    rpu.vdr_dm_data->scene_refresh_flag = i == 1 ? 1 : 0;
    builder.Add(rpu);
  }
  builder.Add(ParseSample("mel_orig.bin"));  // L1 0/2546/1566, scene cut, MEL
  const RpuSummary s = builder.Summary();
  CHECK(s.profile == 7);
  CHECK(s.el_type == "FEL");
  CHECK(s.rpu_count == 4);
  CHECK(s.cm_version == "2.9");
  CHECK(s.l1_count == 4);
  CHECK(s.l1_max_pq.min == 1000);
  CHECK(s.l1_max_pq.max == 3000);
  CHECK(s.l1_max_pq.mean == Approx((2000 + 3000 + 1000 + 2546) / 4.0));
  CHECK(s.l1_avg_pq.min == 500);
  CHECK(s.l1_avg_pq.max == 1566);
  CHECK(s.l1_avg_pq.mean == Approx((500 + 700 + 900 + 1566) / 4.0));
  CHECK(s.scene_cuts == 2);
}

TEST_CASE("RpuSummary of a CM v4.0 profile 8 file", "[dovi][summary]") {
  RpuSummaryBuilder builder;
  size_t count = 0;
  for (const auto& payload : SamplePayloads("cmv4_0_2_xml_rpu.bin")) {
    auto rpu = ParseRpu(payload);
    REQUIRE(rpu.ok());
    builder.Add(*rpu);
    ++count;
  }
  const RpuSummary s = builder.Summary();
  CHECK(s.rpu_count == count);
  CHECK(s.profile == 8);
  CHECK(s.el_type.empty());
  CHECK(s.cm_version == "4.0");
  CHECK(s.l1_count == count);
  CHECK(s.scene_cuts >= 1);
  CHECK(RpuSummaryBuilder().Summary().rpu_count == 0);
}

}  // namespace
}  // namespace mkvfleet::dovi
