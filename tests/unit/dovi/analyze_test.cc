// `dovi analyze` without I/O: the luma change measure on literal planes, the complex/simple
// threshold on literal statistics, the sampling plan, and AnalyzeTitle over a fake frame source
// fed real RPUs (MEL decided without decoding; FEL frames composed with known EL residuals).
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <optional>

#include "common/dovi/analyze/el_change.h"
#include "common/dovi/analyze/fel_verdict.h"
#include "common/dovi/analyze/title_analysis.h"
#include "common/plot/pq_scale.h"
#include "tests/unit/dovi/dovi_test_util.h"

namespace mkvfleet::dovi::analyze {
namespace {

using compose::Frame420;
using compose::Plane16;

// A plane of `n` samples at `base`, the first ones moved by `deltas`.
Plane16 PlaneWith(int n, uint16_t base, const std::vector<int>& deltas) {
  Plane16 p(n, 1, base);
  for (size_t i = 0; i < deltas.size(); ++i) p.samples[i] = static_cast<uint16_t>(base + deltas[i]);
  return p;
}

ElChange Change(uint64_t pixels, uint64_t changed, uint64_t visible, int max12) {
  ElChange c;
  c.pixels = pixels;
  c.changed_pixels = changed;
  c.visible_pixels = visible;
  c.max_change_12 = max12;
  return c;
}

TEST_CASE("MeasureElChange counts luma changes above one and eight 10-bit code values") {
  const Plane16 without = PlaneWith(100, 2000, {});
  // 4 twelve-bit codes is one 10-bit code: not changed; 5 is; 32 is not visible, 33 is.
  const Plane16 with = PlaneWith(100, 2000, {0, 4, 5, -5, 32, 33, -40});
  const ElChange c = MeasureElChange(with, without);
  CHECK(c.pixels == 100);
  CHECK(c.changed_pixels == 5);  // 5, -5, 32, 33, -40
  CHECK(c.visible_pixels == 2);  // 33, -40
  CHECK(c.max_change_12 == 40);
  CHECK(c.max_change_10() == 10.0);
  CHECK(c.changed_share() == Approx(0.05));
  CHECK(c.visible_share() == Approx(0.02));
  // The largest change in nits is the 40-code step down (larger than 33 up, though PQ steps grow
  // with the code).
  CHECK(c.max_change_nits == Approx(plot::PqCodeToNits(2000) - plot::PqCodeToNits(1960)));
  CHECK(c.max_change_nits > plot::PqCodeToNits(2033) - plot::PqCodeToNits(2000));

  CHECK(MeasureElChange(without, without).changed_pixels == 0);
  CHECK(MeasureElChange(without, without).max_change_nits == 0);
}

TEST_CASE("ClassifyFel: complex from 1% of one frame changed visibly") {
  const FrameElChange quiet{10, Change(10000, 5000, 99, 200)};  // 0.99% visible
  const FrameElChange loud{20, Change(10000, 200, 100, 36)};    // 1.00% visible

  FelVerdict v = ClassifyFel(std::vector<FrameElChange>{quiet});
  CHECK(v.fel_class == FelClass::kSimple);
  CHECK(v.reason.find("0.99% of frame 10") != std::string::npos);
  CHECK(v.reason.find("50.00 code values") != std::string::npos);  // 200 / 4

  v = ClassifyFel(std::vector<FrameElChange>{quiet, loud, quiet});
  CHECK(v.fel_class == FelClass::kComplex);
  CHECK(v.reason.find("1.00% of frame 20") != std::string::npos);
  CHECK(v.reason.find("50.00 code values") != std::string::npos);  // the maximum over frames

  // Many slightly changed pixels (grain, rounding) are not complex on their own.
  v = ClassifyFel(std::vector<FrameElChange>{{0, Change(10000, 10000, 0, 32)}});
  CHECK(v.fel_class == FelClass::kSimple);

  v = ClassifyFel({});
  CHECK(v.fel_class == FelClass::kSimple);
  CHECK(v.reason == "no frame was measured");
  CHECK(FelClassName(FelClass::kMel) == "mel");
  CHECK(FelClassName(FelClass::kComplex) == "complex");
}

TEST_CASE("SampleFrames spreads the samples over the title") {
  CHECK(SampleFrames(100, 10) == std::vector<int64_t>{5, 15, 25, 35, 45, 55, 65, 75, 85, 95});
  CHECK(SampleFrames(3, 12) == std::vector<int64_t>{0, 1, 2});
  CHECK(SampleFrames(48, 1) == std::vector<int64_t>{24});
  CHECK(SampleFrames(0, 5).empty());
  const std::vector<int64_t> film = SampleFrames(172800, 12);  // 2 h at 24 fps
  REQUIRE(film.size() == 12);
  CHECK(film.front() == 7200);
  CHECK(film.back() == 165600);
}

// A title of `frames` frames whose RPUs and pictures the test sets. Counts decodes.
class FakeSource final : public FrameSampleSource {
 public:
  int64_t frames = 48;
  std::optional<std::vector<uint8_t>> rpu;  // every frame's RPU
  std::map<int64_t, Frame420> el_by_frame;  // EL of some frames; others get `default_el`
  Frame420 default_el;
  Frame420 bl;
  int decodes = 0;

  int64_t frame_count() const override { return frames; }
  absl::StatusOr<SampledRpu> RpuAt(int64_t frame) override { return SampledRpu{frame, rpu}; }
  absl::StatusOr<DecodedSample> DecodeAt(int64_t frame) override {
    ++decodes;
    DecodedSample s;
    s.frame = frame;
    s.bl = bl;
    auto it = el_by_frame.find(frame);
    s.el = it != el_by_frame.end() ? it->second : default_el;
    s.rpu = rpu.value_or(std::vector<uint8_t>{});
    return s;
  }
};

TEST_CASE("AnalyzeTitle decides MEL from the RPUs without decoding") {
  FakeSource source;
  source.rpu = dovi::testing::SinglePayload("mel_orig.bin");
  absl::StatusOr<TitleAnalysis> a = AnalyzeTitle(source, 4);
  REQUIRE(a.ok());
  CHECK(a->el_type == "MEL");
  CHECK(a->fel_class == FelClass::kMel);
  CHECK(a->frames_sampled == std::vector<int64_t>{6, 18, 30, 42});
  CHECK_FALSE(a->decoded);
  CHECK(source.decodes == 0);
  CHECK(a->reason.find("neutral (MEL)") != std::string::npos);
}

TEST_CASE("AnalyzeTitle: no RPU or a single-layer profile has no EL verdict") {
  FakeSource source;
  absl::StatusOr<TitleAnalysis> a = AnalyzeTitle(source, 3);
  REQUIRE(a.ok());
  CHECK_FALSE(a->el_type.has_value());
  CHECK_FALSE(a->fel_class.has_value());
  CHECK(a->reason.find("not a Dolby Vision title") != std::string::npos);

  source.rpu = dovi::testing::SinglePayload("profile8.bin");
  a = AnalyzeTitle(source, 3);
  REQUIRE(a.ok());
  CHECK_FALSE(a->el_type.has_value());
  CHECK(a->profile == 8);
  CHECK(a->reason.find("profile 8: single layer") != std::string::npos);
  CHECK(source.decodes == 0);
}

TEST_CASE("AnalyzeTitle composes FEL frames with and without the EL") {
  // fel_orig.bin: identity luma, NLQ offset 512, slope 2^-12: EL 576 adds 64 twelve-bit codes
  // (16 ten-bit code values) to every luma sample, EL 512 adds nothing (compose tests).
  FakeSource source;
  source.rpu = dovi::testing::SinglePayload("fel_orig.bin");
  source.bl = Frame420::Make(64, 32, 400, 512);
  source.default_el = Frame420::Make(32, 16, 512, 512);

  SECTION("a neutral residual is simple, with nothing changed") {
    absl::StatusOr<TitleAnalysis> a = AnalyzeTitle(source, 4);
    REQUIRE(a.ok());
    CHECK(a->el_type == "FEL");
    CHECK(a->fel_class == FelClass::kSimple);
    CHECK(a->decoded);
    CHECK(source.decodes == 4);
    CHECK(a->frames_sampled == std::vector<int64_t>{6, 18, 30, 42});
    CHECK(a->total.pixels == 4 * 64 * 32);
    CHECK(a->total.changed_pixels == 0);
    CHECK(a->total.max_change_12 == 0);
  }
  SECTION("one frame raised by 16 code values makes the title complex") {
    source.el_by_frame[30] = Frame420::Make(32, 16, 576, 512);
    absl::StatusOr<TitleAnalysis> a = AnalyzeTitle(source, 4);
    REQUIRE(a.ok());
    CHECK(a->fel_class == FelClass::kComplex);
    REQUIRE(a->frames.size() == 4);
    CHECK(a->frames[2].frame == 30);
    CHECK(a->frames[2].change.visible_share() == 1.0);
    CHECK(a->frames[0].change.changed_pixels == 0);
    CHECK(a->total.changed_share() == Approx(0.25));
    CHECK(a->total.max_change_12 == 64);
    CHECK(a->total.max_change_nits == Approx(plot::PqCodeToNits(1664) - plot::PqCodeToNits(1600)));
    CHECK(a->reason.find("frame 30") != std::string::npos);
  }
  SECTION("a broken RPU is an error naming its frame") {
    source.rpu->at(source.rpu->size() / 2) ^= 0x40;  // the CRC no longer matches
    absl::StatusOr<TitleAnalysis> a = AnalyzeTitle(source, 4);
    REQUIRE_FALSE(a.ok());
    CHECK(a.status().message().find("frame 6: ") == 0);
  }
}

}  // namespace
}  // namespace mkvfleet::dovi::analyze
