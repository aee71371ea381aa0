// EL upsampling (ETSI Annex B taps as transcribed by DoViBaker) and the luma decimation that
// feeds MMR, on hand-computed ramps and constants.
#include <catch2/catch.hpp>
#include <vector>

#include "common/dovi/compose/el_upsample.h"
#include "common/dovi/compose/luma_for_chroma.h"

namespace mkvfleet::dovi {
namespace {

using compose::Plane16;
using compose::PlaneKind;
using compose::UpsampleElPlane;

Plane16 Upsample(const Plane16& in, PlaneKind kind, int w, int h) {
  auto out = UpsampleElPlane(in, kind, w, h, 1023);
  if (!out.ok()) FAIL(out.status().ToString());
  return *std::move(out);
}

std::vector<int> Row(const Plane16& p, int y) { return {p.row(y), p.row(y) + p.width}; }
std::vector<int> Column(const Plane16& p, int x) {
  std::vector<int> out;
  for (int y = 0; y < p.height; ++y) out.push_back(p.at(x, y));
  return out;
}

TEST_CASE("upsample: a constant plane stays constant", "[compose]") {
  for (PlaneKind kind : {PlaneKind::kLuma, PlaneKind::kChroma}) {
    const Plane16 in(9, 5, 700);
    const Plane16 out = Upsample(in, kind, 18, 10);
    CHECK(out == Plane16(18, 10, 700));
  }
}

TEST_CASE("upsample: horizontal ramp matches the 8-tap half-phase filter", "[compose]") {
  Plane16 in(16, 1);
  for (int x = 0; x < 16; ++x) in.at(x, 0) = static_cast<uint16_t>(60 * x);
  const Plane16 out = Upsample(in, PlaneKind::kLuma, 32, 1);
  // Even outputs copy input n. Odd outputs: the taps sum to 4096 and their first moment about
  // n is 2048, so inside the plane (60n * 4096 + 60 * 2048 + 2048) >> 12 = 60n + 30. At the
  // left edge (inputs replicated), output 1 = (2456*60 - 524*120 + 94*180 + 22*240 + 2048) >> 12
  // = 108728 >> 12 = 26; output 3 = (2456*60 + 2456*120 - 524*180 + 94*240 + 22*300 + 2048)
  // >> 12 = 378968 >> 12 = 92. At the right edge the replicated 900 overshoots to 904.
  const std::vector<int> expected = {0,   26,  60,  92,  120, 150, 180, 210, 240, 270, 300,
                                     330, 360, 390, 420, 450, 480, 510, 540, 570, 600, 630,
                                     660, 690, 720, 750, 780, 808, 840, 874, 900, 904};
  CHECK(Row(out, 0) == expected);
  for (int x = 1; x < 32; ++x) CHECK(out.at(x, 0) >= out.at(x - 1, 0));
}

TEST_CASE("upsample: vertical ramps are quarter-phase for luma and chroma", "[compose]") {
  Plane16 in(1, 8);
  for (int y = 0; y < 8; ++y) in.at(0, y) = static_cast<uint16_t>(100 * y);
  // Luma: output 2n = (-3, 29, 111, -9) . x[n-2..n+1] / 128 = 100n - 24.5 -> 100n - 25 inside;
  // output 2n+1 = 100n + 25. Output 0 is (-9 * 100 + 64) >> 7 = -7, clipped to 0.
  const std::vector<int> luma = {0,   18,  73,  125, 175, 225, 275, 325,
                                 375, 425, 475, 525, 575, 627, 682, 707};
  CHECK(Column(Upsample(in, PlaneKind::kLuma, 1, 16), 0) == luma);
  // Chroma: (1, 3)/4 and (3, 1)/4, the same quarter phase with two taps.
  const std::vector<int> chroma = {0,   25,  75,  125, 175, 225, 275, 325,
                                   375, 425, 475, 525, 575, 625, 675, 700};
  CHECK(Column(Upsample(in, PlaneKind::kChroma, 1, 16), 0) == chroma);
}

TEST_CASE("upsample: per-axis ratios 1 and 2, odd targets, and bad sizes", "[compose]") {
  Plane16 in(4, 3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) in.at(x, y) = static_cast<uint16_t>(10 * x + 100 * y);
  CHECK(Upsample(in, PlaneKind::kLuma, 4, 3) == in);
  const Plane16 wide = Upsample(in, PlaneKind::kLuma, 8, 3);  // horizontal only
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) CHECK(wide.at(2 * x, y) == in.at(x, y));
  const Plane16 odd = Upsample(in, PlaneKind::kChroma, 7, 5);  // 2 * in - 1 on both axes
  CHECK(odd.width == 7);
  CHECK(odd.height == 5);
  CHECK(UpsampleElPlane(in, PlaneKind::kLuma, 12, 3, 1023).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(UpsampleElPlane(Plane16(), PlaneKind::kLuma, 2, 2, 1023).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("upsample: results are clipped to the EL range", "[compose]") {
  Plane16 in(8, 1);
  for (int x = 0; x < 8; ++x) in.at(x, 0) = x % 2 ? 1023 : 0;  // ringing overshoots both ways
  const Plane16 out = Upsample(in, PlaneKind::kLuma, 16, 1);
  for (uint16_t s : out.samples) CHECK(s <= 1023);
}

TEST_CASE("luma for chroma: (1, 2, 1) across, mean of two rows, edges replicated", "[compose]") {
  Plane16 y(4, 3);
  const uint16_t rows[3][4] = {{10, 20, 30, 40}, {50, 60, 70, 80}, {90, 90, 90, 90}};
  for (int r = 0; r < 3; ++r)
    for (int x = 0; x < 4; ++x) y.at(x, r) = rows[r][x];
  uint16_t out[2];
  compose::LumaForChromaRow(y, 0, out);
  // cx 0: (10 + 20 + 20 + 2) >> 2 = 13 and (50 + 100 + 60 + 2) >> 2 = 53 -> (13 + 53 + 1) >> 1.
  CHECK(out[0] == 33);
  // cx 1: (20 + 60 + 40 + 2) >> 2 = 30 and (60 + 140 + 80 + 2) >> 2 = 70 -> 50.
  CHECK(out[1] == 50);
  compose::LumaForChromaRow(y, 1, out);  // row 3 does not exist: row 2 is used twice
  CHECK(out[0] == 90);
  CHECK(out[1] == 90);
}

}  // namespace
}  // namespace mkvfleet::dovi
