// Closed loop: a known 12-bit picture is split into a BL (the picture minus a detail layer,
// through the inverse of a known mapping, quantised to 10 bits) and an EL (what the BL misses,
// through known NLQ parameters), the way a profile 7 encoder would. Composing must give the
// picture back within the quantisation error, and clearly better than the BL alone.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "common/dovi/compose/composer.h"
#include "common/dovi/compose/luma_for_chroma.h"
#include "tests/unit/dovi/compose_test_util.h"

namespace mkvfleet::dovi {
namespace {

using compose::Frame420;
using compose::Plane16;

constexpr int kWidth = 256;
constexpr int kHeight = 128;
constexpr double kPi = std::numbers::pi;
constexpr double kSlope = 1.0 / 4096;  // one EL step = one 12-bit code, as in fel_orig.bin
constexpr int kOffset = 512;

// The known mapping, in real numbers. Luma: v = 0.05 + 0.8 x below pivot x0 = 400/1024, plus
// 0.3 (x - x0)^2 above it (continuous, increasing). Cb: MMR v = 0.02 + 0.9 u + 0.05 y.
// Cr: v = 0.03 + 0.94 x.
constexpr double kX0 = 400.0 / 1024;
double Luma(double x) { return 0.05 + 0.8 * x + (x < kX0 ? 0 : 0.3 * (x - kX0) * (x - kX0)); }
double LumaInverse(double v) {
  if (v < 0.05 + 0.8 * kX0) return (v - 0.05) / 0.8;
  const double c = 0.05 + 0.8 * kX0 - v;  // 0.3 z^2 + 0.8 z + c = 0, z = x - x0
  return kX0 + (-0.8 + std::sqrt(0.64 - 1.2 * c)) / 0.6;
}
double Cb(double y, double u) { return 0.02 + 0.9 * u + 0.05 * y; }
double Cr(double x) { return 0.03 + 0.94 * x; }

RpuMapping KnownMapping() {
  RpuMapping m;
  m.curves[0] = testing::PolynomialCurve(
      {0, 400, 1023}, {{0.05, 0.8}, {0.05 + 0.3 * kX0 * kX0, 0.8 - 0.6 * kX0, 0.3}});
  m.curves[1] = testing::MmrCurve(0.02, {{0.05, 0.9, 0, 0, 0, 0, 0}});
  m.curves[2] = testing::PolynomialCurve({0, 1023}, {{0.03, 0.94}});
  m.nlq = testing::MakeNlq(kOffset, 0.125, kSlope, 0);
  return m;
}

// The truth (12-bit codes) and the detail only the EL carries, per plane.
struct Scene {
  Frame420 truth = Frame420::Make(kWidth, kHeight);
  std::array<std::vector<double>, 3> detail;
};

Scene MakeScene() {
  Scene s;
  Frame420& t = s.truth;
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      t.y.at(x, y) = static_cast<uint16_t>(
          std::lround(400 + 10 * x + 5 * y + 20 * std::sin(0.9 * x) * std::cos(0.7 * y)));
      s.detail[0].push_back(40 * std::sin(2 * kPi * x / 64) * std::cos(2 * kPi * y / 48));
    }
  }
  for (int y = 0; y < t.cb.height; ++y) {
    for (int x = 0; x < t.cb.width; ++x) {
      t.cb.at(x, y) = static_cast<uint16_t>(
          std::lround(2048 + 600 * std::sin(x / 11.0) + 300 * std::cos(y / 7.0)));
      t.cr.at(x, y) = static_cast<uint16_t>(std::lround(2048 + 500 * std::cos(x / 9.0 + y / 13.0)));
      const double d = 30 * std::cos(2 * kPi * x / 40) * std::sin(2 * kPi * y / 32);
      s.detail[1].push_back(d);
      s.detail[2].push_back(-d);
    }
  }
  return s;
}

uint16_t Quantise10(double x) {
  return static_cast<uint16_t>(std::clamp<long>(std::lround(x * 1024), 0, 1023));
}

// The BL: (truth - detail) through the inverse mapping, quantised; and the residual each BL
// sample leaves, in normalised VDR units (truth / 4096 - mapping(BL)).
struct Split {
  Frame420 bl = Frame420::Make(kWidth, kHeight);
  std::array<std::vector<double>, 3> residual;
};

Split SplitScene(const Scene& s) {
  Split out;
  const Frame420& t = s.truth;
  for (size_t i = 0; i < t.y.samples.size(); ++i) {
    const uint16_t code = Quantise10(LumaInverse((t.y.samples[i] - s.detail[0][i]) / 4096));
    out.bl.y.samples[i] = code;
    out.residual[0].push_back(t.y.samples[i] / 4096.0 - Luma(code / 1024.0));
  }
  std::vector<uint16_t> luma(static_cast<size_t>(t.cb.width));
  for (int y = 0; y < t.cb.height; ++y) {
    compose::LumaForChromaRow(out.bl.y, y, luma.data());
    for (int x = 0; x < t.cb.width; ++x) {
      const size_t i = static_cast<size_t>(y) * t.cb.width + x;
      const double ny = luma[x] / 1024.0;
      const double cb_target = (t.cb.samples[i] - s.detail[1][i]) / 4096;
      const uint16_t u = Quantise10((cb_target - 0.02 - 0.05 * ny) / 0.9);
      out.bl.cb.samples[i] = u;
      out.residual[1].push_back(t.cb.samples[i] / 4096.0 - Cb(ny, u / 1024.0));
      const uint16_t v = Quantise10(((t.cr.samples[i] - s.detail[2][i]) / 4096 - 0.03) / 0.94);
      out.bl.cr.samples[i] = v;
      out.residual[2].push_back(t.cr.samples[i] / 4096.0 - Cr(v / 1024.0));
    }
  }
  return out;
}

// The EL code whose dequantised residual sign(d) (|d| - 1/2) S is nearest to `r`.
uint16_t NlqEncode(double r) {
  if (std::abs(r) < kSlope / 4) return kOffset;
  const long d = std::lround(std::abs(r) / kSlope + 0.5);
  return static_cast<uint16_t>(std::clamp<long>(kOffset + (r < 0 ? -d : d), 0, 1023));
}

// An EL plane of the residual at `factor` 1 (same size) or 2 (half size per axis: column 2m,
// mean of rows 2n and 2n + 1, the siting the upsampler's even-copy / quarter-phase taps assume).
Plane16 ElPlane(const std::vector<double>& residual, const Plane16& like, int factor) {
  if (factor == 1) {
    Plane16 p(like.width, like.height);
    for (size_t i = 0; i < residual.size(); ++i) p.samples[i] = NlqEncode(residual[i]);
    return p;
  }
  Plane16 p(compose::ChromaSize(like.width), compose::ChromaSize(like.height));
  for (int n = 0; n < p.height; ++n) {
    for (int m = 0; m < p.width; ++m) {
      const int r0 = std::min(2 * n, like.height - 1);
      const int r1 = std::min(2 * n + 1, like.height - 1);
      const double mean = (residual[static_cast<size_t>(r0) * like.width + 2 * m] +
                           residual[static_cast<size_t>(r1) * like.width + 2 * m]) /
                          2;
      p.at(m, n) = NlqEncode(mean);
    }
  }
  return p;
}

struct Error {
  double psnr = 0;
  int max = 0;
  std::array<int, 3> plane_max{};  // Y, Cb, Cr
};

Error Compare(const Frame420& a, const Frame420& b) {
  double sum = 0;
  size_t n = 0;
  Error e;
  const compose::Plane16 Frame420::*planes[3] = {&Frame420::y, &Frame420::cb, &Frame420::cr};
  for (int k = 0; k < 3; ++k) {
    const auto& pa = (a.*planes[k]).samples;
    const auto& pb = (b.*planes[k]).samples;
    for (size_t i = 0; i < pa.size(); ++i) {
      const int d = pa[i] - pb[i];
      sum += static_cast<double>(d) * d;
      e.plane_max[k] = std::max(e.plane_max[k], std::abs(d));
      ++n;
    }
    e.max = std::max(e.max, e.plane_max[k]);
  }
  const double mse = sum / static_cast<double>(n);
  e.psnr = mse == 0 ? 99.0 : 10 * std::log10(4095.0 * 4095.0 / mse);
  return e;
}

TEST_CASE("compose closed loop: BL + EL give the known picture back", "[compose]") {
  auto composer = compose::Composer::Create(testing::Profile7Header(), KnownMapping());
  REQUIRE(composer.ok());
  const Scene scene = MakeScene();
  const Split split = SplitScene(scene);

  auto without = composer->Compose(split.bl);
  REQUIRE(without.ok());
  const Error base = Compare(*without, scene.truth);

  // The EL carrying the residual at 1/`ratio` of the BL's size per axis, composed and compared.
  const auto with_el = [&](int ratio) {
    Frame420 el;
    el.y = ElPlane(split.residual[0], split.bl.y, ratio);
    el.cb = ElPlane(split.residual[1], split.bl.cb, ratio);
    el.cr = ElPlane(split.residual[2], split.bl.cr, ratio);
    auto composed = composer->Compose(split.bl, &el);
    REQUIRE(composed.ok());
    return Compare(*composed, scene.truth);
  };
  const Error with_full = with_el(1);
  const Error with_half = with_el(2);

  const auto print = [](const char* what, const Error& e) {
    std::printf("closed loop %dx%d %-16s PSNR %6.2f dB, max error Y %d Cb %d Cr %d codes\n", kWidth,
                kHeight, what, e.psnr, e.plane_max[0], e.plane_max[1], e.plane_max[2]);
  };
  print("without EL:", base);
  print("full-size EL:", with_full);
  print("half-size EL:", with_half);
  // Without EL the detail layer (up to 40 codes) is missing.
  CHECK(base.max >= 30);
  // Full-size EL: NLQ half step (1/2 code) + final rounding (1/2 code).
  CHECK(with_full.max <= 1);
  CHECK(with_full.psnr > base.psnr + 20);
  // Half-size EL carries the smooth detail, not the per-pixel BL quantisation (up to ~2.3
  // luma codes at the mapping's steepest slope of 1.16 * 4 codes per BL step), plus the NLQ
  // half step, the rounding and the interpolation error of the detail: about 4 codes inside
  // the picture, up to 6 in the last column, which the 8-tap filter extrapolates from
  // replicated samples. Far better than the BL alone.
  CHECK(with_half.max <= 6);
  CHECK(with_half.psnr > base.psnr + 10);
}

}  // namespace
}  // namespace mkvfleet::dovi
