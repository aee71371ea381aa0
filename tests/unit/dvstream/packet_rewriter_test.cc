// Per-packet operations on a length-prefixed (Matroska-style) conversion of the sample streams:
// dropping the EL packet by packet gives the same frames as the Annex B operation, and RPUs
// pulled from decode-order packets come out in display order.
#include "common/dvstream/packet_rewriter.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/byte_io.h"
#include "common/hevc/length_prefixed.h"
#include "common/hevc/nal_unit.h"
#include "tests/test_paths.h"

namespace mkvfleet::dvstream {
namespace {

std::vector<uint8_t> Sample(const std::string& name) {
  const std::string s = testing::ReadFileOrFail(testing::DoviSamplesDir() + "/hevc/" + name);
  return {s.begin(), s.end()};
}

struct Track {
  std::vector<uint8_t> hvcc;
  std::vector<std::vector<uint8_t>> packets;
};

// Splits an Annex B stream into access units and writes each as one length-prefixed packet. The
// parameter sets of the first unit go to hvcC; with `strip_parameter_sets` they are then left
// out of the packets, as many muxers do.
Track ToTrack(const std::vector<uint8_t>& annexb, int length_size, bool strip_parameter_sets) {
  Track t;
  t.hvcc = {1,    0x01,
            0x60, 0,
            0,    0,
            0x90, 0,
            0,    0,
            0,    0,
            90,   0xF0,
            0,    0xFC,
            0xFD, 0xF8,
            0xF8, 0,
            0,    static_cast<uint8_t>(0x0C | (length_size - 1)),
            0};
  MemorySource src(annexb);
  AccessUnitReader reader(src);
  hevc::AccessUnit au;
  int arrays = 0;
  while (true) {
    auto more = reader.Next(&au);
    REQUIRE(more.ok());
    if (!*more) break;
    std::vector<uint8_t> packet;
    for (size_t i = 0; i < au.size(); ++i) {
      const uint8_t type = au.type(i);
      const bool parameter_set = type >= hevc::kVps && type <= hevc::kPps;
      if (parameter_set && t.packets.empty()) {
        const auto nal = au.nal(i);
        t.hvcc.insert(t.hvcc.end(),
                      {static_cast<uint8_t>(0x80 | type), 0, 1,
                       static_cast<uint8_t>(nal.size() >> 8), static_cast<uint8_t>(nal.size())});
        t.hvcc.insert(t.hvcc.end(), nal.begin(), nal.end());
        ++arrays;
      }
      if (parameter_set && strip_parameter_sets) continue;
      REQUIRE(hevc::AppendLengthPrefixed(au.nal(i), length_size, packet).ok());
    }
    t.packets.push_back(std::move(packet));
  }
  t.hvcc[22] = static_cast<uint8_t>(arrays);
  return t;
}

// Packets back to an Annex B stream with 4-byte start codes.
std::vector<uint8_t> ToAnnexB(const std::vector<std::vector<uint8_t>>& packets, int length_size) {
  std::vector<uint8_t> out;
  for (const auto& p : packets) {
    auto nals = hevc::SplitLengthPrefixed(p, length_size);
    REQUIRE(nals.ok());
    for (auto nal : *nals) {
      out.insert(out.end(), {0, 0, 0, 1});
      out.insert(out.end(), nal.begin(), nal.end());
    }
  }
  return out;
}

TEST_CASE("hvcC of the converted track parses", "[dvstream][packet]") {
  const Track t = ToTrack(Sample("regular.hevc"), 4, false);
  auto config = hevc::ParseHvcc(t.hvcc);
  REQUIRE(config.ok());
  CHECK(config->nal_length_size == 4);
  REQUIRE(config->arrays.size() == 3);
  CHECK(config->arrays[1].nal_unit_type == hevc::kSps);
  CHECK(config->arrays[1].nal_units.at(0).size() == 55);
}

TEST_CASE("RewritePacket drops the EL packet by packet", "[dvstream][packet]") {
  for (int length_size : {4, 2}) {
    INFO("NAL length size " << length_size);
    const Track t = ToTrack(Sample("regular_start_code_4_muxed_el.hevc"), length_size, false);
    auto rewriter = PacketRewriter::Create(t.hvcc);
    REQUIRE(rewriter.ok());
    std::vector<std::vector<uint8_t>> out;
    int with_rpu = 0;
    for (const auto& p : t.packets) {
      auto r = rewriter->Rewrite(p);
      REQUIRE(r.ok());
      CHECK(r->frame.has_picture);
      with_rpu += r->rpu.has_value();
      out.push_back(std::move(r->data));
    }
    CHECK(with_rpu == 259);
    CHECK(ToAnnexB(out, length_size) == Sample("regular_start_code_4.hevc"));
  }
}

TEST_CASE("RewritePacket applies the RPU transform and keeps the EL when asked",
          "[dvstream][packet]") {
  const Track t = ToTrack(Sample("regular_start_code_4_muxed_el.hevc"), 4, false);
  PacketRewriteOptions opt;
  opt.drop_el = false;
  opt.transform = [](absl::Span<const uint8_t> rpu) -> absl::StatusOr<std::vector<uint8_t>> {
    std::vector<uint8_t> out(rpu.begin(), rpu.end());
    out.push_back(0x42);
    return out;
  };
  auto rewriter = PacketRewriter::Create(t.hvcc, opt);
  REQUIRE(rewriter.ok());
  auto r = rewriter->Rewrite(t.packets[0]);
  REQUIRE(r.ok());
  REQUIRE(r->rpu.has_value());
  CHECK(r->rpu->back() == 0x42);
  CHECK(r->data.size() == t.packets[0].size() + 1);
  CHECK(r->data.back() == 0x42);

  opt.transform = [](absl::Span<const uint8_t>) -> absl::StatusOr<std::vector<uint8_t>> {
    return absl::InvalidArgumentError("not a profile 7 RPU");
  };
  auto failing = PacketRewriter::Create(t.hvcc, opt);
  REQUIRE(failing.ok());
  auto err = failing->Rewrite(t.packets[0]);
  REQUIRE_FALSE(err.ok());
  CHECK(std::string(err.status().message()) == "packet 0: not a profile 7 RPU");
}

TEST_CASE("RPUs from decode-order packets come out in display order", "[dvstream][packet]") {
  for (bool strip : {false, true}) {
    INFO("parameter sets only in hvcC: " << strip);
    const Track t = ToTrack(Sample("regular.hevc"), 4, strip);
    auto rewriter = PacketRewriter::Create(t.hvcc);
    REQUIRE(rewriter.ok());
    MemorySink sink;
    DisplayOrderRpuWriter writer(sink);
    for (const auto& p : t.packets) {
      auto r = rewriter->Inspect(p);
      REQUIRE(r.ok());
      CHECK(r->data.empty());
      REQUIRE(r->rpu.has_value());
      REQUIRE(writer.Add(r->frame.key, *r->rpu).ok());
    }
    REQUIRE(writer.Finish().ok());
    CHECK(writer.written() == 259);
    CHECK(sink.data() == Sample("regular_rpu.bin"));
  }
}

// The packet without its RPU NAL (type 62).
std::vector<uint8_t> WithoutRpu(const std::vector<uint8_t>& packet) {
  auto nals = hevc::SplitLengthPrefixed(packet, 4);
  REQUIRE(nals.ok());
  std::vector<uint8_t> out;
  for (auto nal : *nals) {
    if (hevc::NalTypeOf(nal) != hevc::kUnspec62)
      REQUIRE(hevc::AppendLengthPrefixed(nal, 4, out).ok());
  }
  return out;
}

// The RPU payload (after 7C 01) of a packet.
std::vector<uint8_t> RpuOf(const std::vector<uint8_t>& packet) {
  auto nals = hevc::SplitLengthPrefixed(packet, 4);
  REQUIRE(nals.ok());
  for (auto nal : *nals) {
    if (hevc::NalTypeOf(nal) == hevc::kUnspec62) return {nal.begin() + 2, nal.end()};
  }
  FAIL("packet has no RPU");
  return {};
}

TEST_CASE("a packet with two RPUs keeps the first; the second is reported and dropped",
          "[dvstream][packet]") {
  const Track t = ToTrack(Sample("regular.hevc"), 4, false);
  std::vector<uint8_t> doubled = t.packets[0];
  const std::vector<uint8_t> second_nal = {0x7C, 0x01, 0x19, 0x08, 0x09, 0x80};
  REQUIRE(hevc::AppendLengthPrefixed(second_nal, 4, doubled).ok());
  auto rewriter = PacketRewriter::Create(t.hvcc);
  REQUIRE(rewriter.ok());
  auto r = rewriter->Rewrite(doubled);
  REQUIRE(r.ok());
  REQUIRE(r->rpu.has_value());
  CHECK(*r->rpu == RpuOf(t.packets[0]));
  REQUIRE(r->extra_rpus.size() == 1);
  CHECK(r->extra_rpus[0] == std::vector<uint8_t>(second_nal.begin() + 2, second_nal.end()));
  CHECK(r->data == t.packets[0]);  // the RPU is already last in the sample's packets
}

TEST_CASE("a packet without an RPU gets the one given, transformed like the others",
          "[dvstream][packet]") {
  const Track t = ToTrack(Sample("regular.hevc"), 4, false);
  PacketRewriteOptions opt;
  opt.transform = [](absl::Span<const uint8_t> rpu) -> absl::StatusOr<std::vector<uint8_t>> {
    std::vector<uint8_t> out(rpu.begin(), rpu.end());
    out.push_back(0x42);
    return out;
  };
  auto rewriter = PacketRewriter::Create(t.hvcc, opt);
  REQUIRE(rewriter.ok());
  const std::vector<uint8_t> patch = RpuOf(t.packets[0]);
  // A packet that has its own RPU keeps it; the patch is for packets without one.
  auto own = rewriter->Rewrite(t.packets[0], patch);
  REQUIRE(own.ok());
  CHECK_FALSE(own->rpu_inserted);
  auto bare = rewriter->Rewrite(WithoutRpu(t.packets[1]));
  REQUIRE(bare.ok());
  CHECK_FALSE(bare->rpu.has_value());
  auto patched = rewriter->Rewrite(WithoutRpu(t.packets[2]), patch);
  REQUIRE(patched.ok());
  CHECK(patched->rpu_inserted);
  std::vector<uint8_t> expected = patch;
  expected.push_back(0x42);
  REQUIRE(patched->rpu.has_value());
  CHECK(*patched->rpu == expected);
  CHECK(RpuOf(patched->data) == expected);
}

TEST_CASE("malformed packets are errors naming the packet", "[dvstream][packet]") {
  PacketRewriter rewriter(4, {});
  const uint8_t truncated[] = {0, 0, 0, 9, 0x40, 0x01};
  auto r = rewriter.Rewrite(truncated);
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).find("packet 0:") == 0);
  // A slice before any parameter set cannot be given a POC.
  const uint8_t slice[] = {0, 0, 0, 4, 0x26, 0x01, 0xAF, 0x06};
  auto s = rewriter.Rewrite(slice);
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.status().message()).find("packet 1: slice refers to PPS 0") == 0);
  const uint8_t bad_hvcc[] = {1, 2, 3};
  CHECK_FALSE(PacketRewriter::Create(bad_hvcc).ok());
}

}  // namespace
}  // namespace mkvfleet::dvstream
