// NAL headers, access units, parameter sets, slice headers and picture order on the samples,
// checked against facts independent of our parser (the samples' own AUDs, sizes, frame counts).
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "common/hevc/access_unit.h"
#include "common/hevc/display_order.h"
#include "common/hevc/nal_splitter.h"
#include "common/hevc/nal_unit.h"
#include "common/hevc/parameter_sets.h"
#include "common/hevc/picture_order.h"
#include "common/hevc/slice_header.h"
#include "tests/test_paths.h"

namespace mkvfleet::hevc {
namespace {

std::vector<AccessUnit> AccessUnitsOf(const std::string& name) {
  const std::string s = testing::ReadFileOrFail(testing::DoviSamplesDir() + "/hevc/" + name);
  std::vector<AccessUnit> aus;
  AccessUnitAssembler assembler;
  AccessUnit done;
  NalSplitter splitter;
  auto sink = [&](const AnnexBNal& nal) {
    if (assembler.Add(nal.data, nal.start_code_size, &done)) aus.push_back(done);
    return absl::OkStatus();
  };
  REQUIRE(splitter
              .Feed(absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()),
                    sink)
              .ok());
  REQUIRE(splitter.Finish(sink).ok());
  if (assembler.Finish(&done)) aus.push_back(done);
  return aus;
}

TEST_CASE("NAL header fields and names", "[hevc]") {
  const uint8_t rpu[] = {0x7C, 0x01};
  auto h = ParseNalHeader(rpu);
  REQUIRE(h.ok());
  CHECK(h->nal_unit_type == 62);
  CHECK(h->nuh_layer_id == 0);
  CHECK(h->temporal_id == 0);
  const uint8_t layered[] = {0x03, 0x0B};  // TRAIL_R, layer 33, tid 2
  h = ParseNalHeader(layered);
  REQUIRE(h.ok());
  CHECK(h->nal_unit_type == 1);
  CHECK(h->nuh_layer_id == 33);
  CHECK(h->temporal_id == 2);
  const uint8_t forbidden[] = {0xC0, 0x01};
  CHECK_FALSE(ParseNalHeader(forbidden).ok());
  const uint8_t tid0[] = {0x40, 0x00};
  CHECK_FALSE(ParseNalHeader(tid0).ok());
  CHECK_FALSE(ParseNalHeader(absl::Span<const uint8_t>(rpu, 1)).ok());
  CHECK(NalTypeName(kVps) == "VPS");
  CHECK(NalTypeName(kUnspec62) == "UNSPEC62");
  CHECK(NalTypeName(kUnspec63) == "UNSPEC63");
  CHECK(NalTypeName(kIdrNLp) == "IDR_N_LP");
  CHECK(NalTypeName(kSeiSuffix) == "SEI_SUFFIX");
  CHECK(NalTypeName(45) == "RSV_45");
  CHECK(MakeAudNal(2) == std::array<uint8_t, 3>{0x46, 0x01, 0x50});
}

TEST_CASE("access units of regular.hevc: one per AUD, RPU last", "[hevc]") {
  const auto aus = AccessUnitsOf("regular.hevc");
  REQUIRE(aus.size() == 259);
  for (const AccessUnit& au : aus) {
    CHECK(au.type(0) == kAud);
    CHECK(au.type(au.size() - 1) == kUnspec62);
  }
  CHECK(aus[0].size() == 12);  // AUD VPS SPS PPS 6xSEI IDR RPU
}

TEST_CASE("access units without AUDs and with suffix SEI", "[hevc]") {
  const auto no_aud = AccessUnitsOf("no_aud_bl.hevc");
  CHECK(no_aud.size() == 259);
  CHECK(no_aud[0].type(0) == kVps);
  const auto muxed = AccessUnitsOf("regular_start_code_4_muxed_el.hevc");
  CHECK(muxed.size() == 259);
  // Repeated parameter sets before the first slice stay in the first unit; suffix SEI stays with
  // its picture.
  const auto suffix = AccessUnitsOf("sei-suffix-muxed-rpu.hevc");
  REQUIRE(suffix.size() == 3);
  CHECK(suffix[0].size() == 17);
  for (const AccessUnit& au : suffix) {
    CHECK(au.type(au.size() - 2) == kSeiSuffix);
    CHECK(au.type(au.size() - 1) == kUnspec62);
  }
}

TEST_CASE("SPS and PPS fields of the sample", "[hevc]") {
  const auto aus = AccessUnitsOf("regular.hevc");
  auto sps = ParseSps(aus[0].nal(2));
  REQUIRE(sps.ok());
  CHECK(sps->pic_width_in_luma_samples == 256);
  CHECK(sps->pic_height_in_luma_samples == 144);
  CHECK(sps->chroma_format_idc == 1);
  CHECK(sps->sps_seq_parameter_set_id == 0);
  auto pps = ParsePps(aus[0].nal(3));
  REQUIRE(pps.ok());
  CHECK(pps->pps_seq_parameter_set_id == 0);
  CHECK_FALSE(ParseSps(aus[0].nal(3)).ok());  // a PPS is not an SPS
  // Truncated SPS: an error, not a crash.
  auto nal = aus[0].nal(2);
  for (size_t n = 0; n < 20; ++n) CHECK_FALSE(ParseSps(nal.subspan(0, n)).ok());
}

TEST_CASE("pic_type from slices matches the sample's own AUDs", "[hevc][poc]") {
  FrameOrderAnalyzer analyzer;
  for (const AccessUnit& au : AccessUnitsOf("regular.hevc")) {
    analyzer.BeginFrame();
    for (size_t i = 0; i < au.size(); ++i) REQUIRE(analyzer.AddNal(au.nal(i)).ok());
    const FrameInfo f = analyzer.EndFrame();
    REQUIRE(f.has_picture);
    CHECK(f.pic_type == au.nal(0)[2] >> 5);
  }
}

TEST_CASE("POC order of regular.hevc: 259 frames over two IDR periods", "[hevc][poc]") {
  FrameOrderAnalyzer analyzer;
  std::map<uint64_t, std::vector<int64_t>> pocs_by_cvs;
  std::vector<DisplayKey> decode_order;
  for (const AccessUnit& au : AccessUnitsOf("regular.hevc")) {
    analyzer.BeginFrame();
    for (size_t i = 0; i < au.size(); ++i) REQUIRE(analyzer.AddNal(au.nal(i)).ok());
    const FrameInfo f = analyzer.EndFrame();
    CHECK(f.decode_index == decode_order.size());
    if (IsIdr(f.nal_unit_type)) CHECK(f.key.poc == 0);
    decode_order.push_back(f.key);
    pocs_by_cvs[f.key.cvs_index].push_back(f.key.poc);
  }
  REQUIRE(decode_order.size() == 259);
  REQUIRE(pocs_by_cvs.size() == 2);
  // Each IDR period's POCs are exactly 0..n-1: every frame has a distinct display slot.
  for (auto& [cvs, pocs] : pocs_by_cvs) {
    std::sort(pocs.begin(), pocs.end());
    for (size_t i = 0; i < pocs.size(); ++i) CHECK(pocs[i] == static_cast<int64_t>(i));
  }
  // B-frames: decode order is not display order.
  CHECK_FALSE(std::is_sorted(decode_order.begin(), decode_order.end()));

  // The reorder buffer yields the fully sorted order with the default window.
  DisplayOrderBuffer<size_t> buffer;
  std::vector<DisplayKey> display;
  auto emit = [&](size_t&& i) {
    display.push_back(decode_order[i]);
    return absl::OkStatus();
  };
  for (size_t i = 0; i < decode_order.size(); ++i)
    REQUIRE(buffer.Push(decode_order[i], i, emit).ok());
  REQUIRE(buffer.Flush(emit).ok());
  REQUIRE(display.size() == 259);
  CHECK(std::is_sorted(display.begin(), display.end()));
  CHECK(std::adjacent_find(display.begin(), display.end()) == display.end());
}

TEST_CASE("DisplayOrderBuffer holds a bounded window and reports impossible orders",
          "[hevc][poc]") {
  std::vector<int> out;
  auto emit = [&](int&& v) {
    out.push_back(v);
    return absl::OkStatus();
  };
  DisplayOrderBuffer<int> two(2);
  for (int poc : {0, 4, 2, 1, 3, 8, 6, 5, 7}) {
    REQUIRE(two.Push({0, poc}, poc, emit).ok());
    CHECK(two.held() <= 2);
  }
  REQUIRE(two.Push({1, 0}, 100, emit).ok());  // a new sequence flushes the old one
  REQUIRE(two.Flush(emit).ok());
  CHECK(out == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 100});

  DisplayOrderBuffer<int> one(1);
  REQUIRE(one.Push({0, 0}, 0, emit).ok());
  REQUIRE(one.Push({0, 4}, 4, emit).ok());
  REQUIRE(one.Push({0, 2}, 2, emit).ok());  // emits 2, holds 4
  auto st = one.Push({0, 1}, 1, emit);      // 1 should have come before 2
  CHECK(st.code() == absl::StatusCode::kFailedPrecondition);

  DisplayOrderBuffer<int> dup(4);
  REQUIRE(dup.Push({0, 3}, 0, emit).ok());
  REQUIRE(dup.Push({0, 3}, 0, emit).ok());
  CHECK(dup.Flush(emit).code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("slice header errors: unknown PPS, non-VCL, truncated", "[hevc]") {
  ParameterSetTable empty;
  const uint8_t idr[] = {0x28, 0x01, 0xAF, 0x06};
  auto s = ParseSliceHeader(idr, empty);
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.status().message()).find("PPS 0") != std::string::npos);
  const uint8_t sei[] = {0x4E, 0x01, 0x05};
  CHECK_FALSE(ParseSliceHeader(sei, empty).ok());
  const auto aus = AccessUnitsOf("regular.hevc");
  ParameterSetTable sets;
  REQUIRE(sets.Update(aus[0].nal(2)).ok());
  REQUIRE(sets.Update(aus[0].nal(3)).ok());
  const auto slice = aus[1].nal(2);  // TRAIL_R
  auto ok = ParseSliceHeader(slice, sets);
  REQUIRE(ok.ok());
  CHECK(ok->first_slice_segment_in_pic_flag);
  CHECK(ok->slice_type == kSliceP);
  CHECK_FALSE(ParseSliceHeader(slice.subspan(0, 3), sets).ok());
}

}  // namespace
}  // namespace mkvfleet::hevc
