// The composer's arithmetic on hand-computed cases: coefficient formats, polynomial pieces and
// their pivots, MMR terms, the NLQ dead zone, and the rounding to 12 bits.
#include <bit>
#include <catch2/catch.hpp>
#include <cstring>

#include "common/dovi/compose/coefficients.h"
#include "common/dovi/compose/composer.h"
#include "common/dovi/compose/mmr.h"
#include "common/dovi/compose/nlq.h"
#include "tests/unit/dovi/compose_test_util.h"

namespace mkvfleet::dovi {
namespace {

using compose::Composer;
using compose::Frame420;
using testing::FillFrame;

Composer MakeComposer(const RpuHeader& h, const RpuMapping& m) {
  auto c = Composer::Create(h, m);
  if (!c.ok()) FAIL(c.status().ToString());
  return *std::move(c);
}

TEST_CASE("compose: coefficients decode from fixed point and float", "[compose]") {
  RpuHeader h = Profile8Header();
  // -1.25 is coded as int part -2 plus the fraction 0.75 (the fraction is never negative).
  CHECK(compose::DecodeCoefficient(-2, 3u << 21, h) == -1.25);
  CHECK(compose::DecodeCoefficient(3, 1, h) == 3.0 + 1.0 / (1 << 23));
  h.coefficient_data_type = 1;
  const float f = 0.3f;
  CHECK(compose::DecodeCoefficient(0, std::bit_cast<uint32_t>(f), h) == static_cast<double>(f));
}

TEST_CASE("compose: the identity mapping gives VDR = BL << 2 on every code", "[compose]") {
  const Composer c = MakeComposer(Profile8Header(), testing::IdentityMapping());
  const Frame420 bl = FillFrame(
      1024, 2, [](int x, int) { return x; }, [](int x, int y) { return 2 * x + y; });
  auto out = c.Compose(bl);
  REQUIRE(out.ok());
  for (int x = 0; x < 1024; ++x) REQUIRE(out->y.at(x, 1) == 4 * x);
  for (int x = 0; x < 512; ++x) {
    REQUIRE(out->cb.at(x, 0) == 8 * x);
    REQUIRE(out->cr.at(x, 0) == 8 * x);
  }
}

TEST_CASE("compose: identity with float coefficients gives the same picture", "[compose]") {
  RpuHeader h = Profile8Header();
  h.coefficient_data_type = 1;
  RpuMapping m = testing::IdentityMapping();
  for (ReshapingCurve& curve : m.curves) {
    curve.pieces[0].poly.poly_coef_int = {0, 0, 0};
    curve.pieces[0].poly.poly_coef = {0, std::bit_cast<uint32_t>(1.0f), 0};
  }
  const Frame420 bl = FillFrame(
      64, 2, [](int x, int) { return 16 * x + 3; }, [](int x, int) { return 20 * x; });
  auto out = MakeComposer(h, m).Compose(bl);
  REQUIRE(out.ok());
  for (int x = 0; x < 64; ++x) CHECK(out->y.at(x, 0) == 4 * (16 * x + 3));
}

TEST_CASE("compose: a two-piece polynomial picks its piece by pivot", "[compose]") {
  // Pivots 0, 512, 1023. Piece 0: v = x / 2. Piece 1: v = 1/4 - x/2 + x^2 (continuous at 1/2).
  RpuMapping m = testing::IdentityMapping();
  m.curves[0] = testing::PolynomialCurve({0, 512, 1023}, {{0, 0.5}, {0.25, -0.5, 1.0}});
  const Composer c = MakeComposer(Profile8Header(), m);
  const int codes[] = {256, 511, 512, 768, 1000, 1023};
  // x = code/1024; out = (floor(65536 v) + 8) >> 4:
  // 256: v = 1/8 -> 512. 511: v = 511/2048 -> 16352 -> 1022. 512: v = 1/4 -> 1024.
  // 768: v = 1/4 - 3/8 + 9/16 = 7/16 -> 1792. 1000: v = 750144/2^20 -> 46884 -> 2930.
  // 1023: v = 784897/2^20 -> 49056 -> 3066.
  const int expected[] = {512, 1022, 1024, 1792, 2930, 3066};
  Frame420 bl = Frame420::Make(6, 2, 0, 512);
  for (int i = 0; i < 6; ++i) bl.y.at(i, 0) = static_cast<uint16_t>(codes[i]);
  auto out = c.Compose(bl);
  REQUIRE(out.ok());
  for (int i = 0; i < 6; ++i) {
    INFO("BL code " << codes[i]);
    CHECK(out->y.at(i, 0) == expected[i]);
  }
}

TEST_CASE("compose: input outside the pivots is clamped to them", "[compose]") {
  RpuMapping m = testing::IdentityMapping();
  m.curves[0] = testing::PolynomialCurve({64, 960}, {{0, 1.0}});
  Frame420 bl = Frame420::Make(4, 2, 0, 512);
  const uint16_t in[] = {10, 64, 500, 1000};
  for (int i = 0; i < 4; ++i) bl.y.at(i, 0) = in[i];
  auto out = MakeComposer(Profile8Header(), m).Compose(bl);
  REQUIRE(out.ok());
  CHECK(out->y.at(0, 0) == 256);  // clamped up to 64
  CHECK(out->y.at(1, 0) == 256);
  CHECK(out->y.at(2, 0) == 2000);
  CHECK(out->y.at(3, 0) == 3840);  // clamped down to 960
}

// MMR coefficients of the hand-computed case below.
const double kMmrConstant = 0.125;
const std::array<double, 7> kMmrOrder1 = {0.25, 0.5, 0, 1.0, 0, 0, 0};
const std::array<double, 7> kMmrOrder2 = {0, 0, 0.5, 0, 0, 0, 2.0};
const std::array<double, 7> kMmrOrder3 = {0, 0, 0, 0, 0, 4.0, 0};

TEST_CASE("compose: MMR terms, orders 1 to 3", "[compose]") {
  // y = 1/2, u = 1/4, v = 3/4: t = [1/2, 1/4, 3/4, 1/8, 3/8, 3/16, 3/32].
  // Order 1: 1/8 + 1/4 * 1/2 + 1/2 * 1/4 + 1 * 1/8 = 1/2.
  // Order 2 adds 1/2 * (3/4)^2 + 2 * (3/32)^2 = 9/32 + 9/512. Order 3 adds 4 * (3/16)^3.
  RpuMapping m = testing::IdentityMapping();
  m.curves[1] = testing::MmrCurve(kMmrConstant, {kMmrOrder1});
  auto decoded = compose::DecodeMapping(Profile8Header(), m);
  REQUIRE(decoded.ok());
  compose::DecodedPiece piece = decoded->curves[1].pieces[0];
  CHECK(compose::EvaluateMmr(piece, 0.5, 0.25, 0.75) == 0.5);
  m.curves[1] = testing::MmrCurve(kMmrConstant, {kMmrOrder1, kMmrOrder2});
  piece = compose::DecodeMapping(Profile8Header(), m)->curves[1].pieces[0];
  CHECK(compose::EvaluateMmr(piece, 0.5, 0.25, 0.75) == 0.5 + 9.0 / 32 + 9.0 / 512);
  m.curves[1] = testing::MmrCurve(kMmrConstant, {kMmrOrder1, kMmrOrder2, kMmrOrder3});
  piece = compose::DecodeMapping(Profile8Header(), m)->curves[1].pieces[0];
  CHECK(compose::EvaluateMmr(piece, 0.5, 0.25, 0.75) ==
        0.5 + 9.0 / 32 + 9.0 / 512 + 4 * 27.0 / 4096);
}

TEST_CASE("compose: MMR chroma in a frame uses the co-sited luma", "[compose]") {
  RpuMapping m = testing::IdentityMapping();
  m.curves[1] = testing::MmrCurve(kMmrConstant, {kMmrOrder1, kMmrOrder2, kMmrOrder3});
  Frame420 bl = Frame420::Make(8, 4, 512, 0);
  for (uint16_t& s : bl.cb.samples) s = 256;
  for (uint16_t& s : bl.cr.samples) s = 768;
  auto out = MakeComposer(Profile8Header(), m).Compose(bl);
  REQUIRE(out.ok());
  // v = 0.8251953125 -> floor(65536 v) = 54080 -> (54080 + 8) >> 4 = 3380; Cr: identity.
  for (uint16_t s : out->cb.samples) CHECK(s == 3380);
  for (uint16_t s : out->cr.samples) CHECK(s == 3072);
  // A brighter luma raises Cb through the y and y*u terms.
  for (uint16_t& s : bl.y.samples) s = 768;
  auto brighter = MakeComposer(Profile8Header(), m).Compose(bl);
  REQUIRE(brighter.ok());
  CHECK(brighter->cb.at(0, 0) > 3380);
}

TEST_CASE("compose: a chroma curve mixing a polynomial and an MMR piece", "[compose]") {
  // Cb: identity below pivot 512, the order-1 MMR above it (piece chosen by the Cb sample).
  RpuMapping m = testing::IdentityMapping();
  m.curves[1] = testing::PolynomialCurve({0, 512, 1023}, {{0, 1.0}, {0, 1.0}});
  m.curves[1].pieces[1] = testing::MmrCurve(kMmrConstant, {kMmrOrder1}).pieces[0];
  Frame420 bl = Frame420::Make(4, 2, 512, 768);
  bl.cb.at(0, 0) = 256;
  bl.cb.at(1, 0) = 640;
  auto out = MakeComposer(Profile8Header(), m).Compose(bl);
  REQUIRE(out.ok());
  CHECK(out->cb.at(0, 0) == 1024);  // polynomial piece: 4 * 256
  // MMR piece at y = 1/2, u = 5/8, v = 3/4: 1/8 + 1/4 * 1/2 + 1/2 * 5/8 + 1 * 5/16 = 7/8
  // -> 57344 -> 3584.
  CHECK(out->cb.at(1, 0) == 3584);
}

TEST_CASE("compose: NLQ linear dead zone", "[compose]") {
  // offset 512, slope 2^-12, threshold 2^-10, vdr_in_max 2^-5.
  compose::DecodedNlq nlq{512, 1.0 / 32, 1.0 / 4096, 1.0 / 1024};
  CHECK(compose::NlqResidual(nlq, 512) == 0);                        // at the offset
  CHECK(compose::NlqResidual(nlq, 513) == 0.5 / 4096 + 1.0 / 1024);  // first step: T + S/2
  CHECK(compose::NlqResidual(nlq, 511) == -(0.5 / 4096 + 1.0 / 1024));
  CHECK(compose::NlqResidual(nlq, 600) == 87.5 / 4096 + 1.0 / 1024);  // below vdr_in_max
  CHECK(compose::NlqResidual(nlq, 1023) == 1.0 / 32);                 // clamped
  CHECK(compose::NlqResidual(nlq, 0) == -1.0 / 32);
  nlq.threshold = 0;
  CHECK(compose::NlqResidual(nlq, 513) == 0.5 / 4096);
}

TEST_CASE("compose: the residual is added before rounding to 12 bits", "[compose]") {
  RpuMapping m = testing::IdentityMapping();
  m.nlq = testing::MakeNlq(512, 1.0 / 32, 1.0 / 4096, 1.0 / 1024);
  const Composer c = MakeComposer(testing::Profile7Header(), m);
  REQUIRE(c.has_residual());
  const Frame420 bl = Frame420::Make(6, 2, 400, 512);
  Frame420 el = Frame420::Make(6, 2, 512, 512);
  const uint16_t el_codes[] = {512, 513, 511, 600, 1023, 0};
  for (int i = 0; i < 6; ++i) el.y.at(i, 0) = el_codes[i];
  auto out = c.Compose(bl, &el);
  REQUIRE(out.ok());
  // v16 = 64 * 400 = 25600; r16 = 0, 72, -72, 1464, 2048, -2048; out = (v16 + r16 + 8) >> 4.
  const int expected[] = {1600, 1605, 1596, 1692, 1728, 1472};
  for (int i = 0; i < 6; ++i) {
    INFO("EL code " << el_codes[i]);
    CHECK(out->y.at(i, 0) == expected[i]);
  }
  auto without = c.Compose(bl);
  REQUIRE(without.ok());
  CHECK(without->y.at(1, 0) == 1600);
}

TEST_CASE("compose: errors name what is wrong", "[compose]") {
  const Frame420 bl = Frame420::Make(8, 4, 100, 512);
  SECTION("an EL for an RPU without residual") {
    const Composer c = MakeComposer(Profile8Header(), testing::IdentityMapping());
    const Frame420 el = Frame420::Make(8, 4, 512, 512);
    auto out = c.Compose(bl, &el);
    REQUIRE(out.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(out.status().message()), Catch::Contains("no residual"));
  }
  SECTION("an EL that is neither the BL size nor half of it") {
    RpuMapping m = testing::IdentityMapping();
    m.nlq = testing::MakeNlq(512, 0.125, 1.0 / 4096, 0);
    const Frame420 el = Frame420::Make(3, 4, 512, 512);
    auto out = MakeComposer(testing::Profile7Header(), m).Compose(bl, &el);
    CHECK(out.status().code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("chroma planes that do not fit 4:2:0") {
    Frame420 bad = bl;
    bad.cb = compose::Plane16(3, 2);
    auto out = MakeComposer(Profile8Header(), testing::IdentityMapping()).Compose(bad);
    REQUIRE(out.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(out.status().message()), Catch::Contains("BL: chroma planes"));
  }
  SECTION("linear interpolation pieces") {
    RpuMapping m = testing::IdentityMapping();
    m.curves[0].pieces[0].poly.linear_interp_flag = true;
    CHECK(Composer::Create(Profile8Header(), m).status().code() ==
          absl::StatusCode::kUnimplemented);
  }
  SECTION("MMR on luma") {
    RpuMapping m = testing::IdentityMapping();
    m.curves[0] = testing::MmrCurve(0, {kMmrOrder1});
    CHECK(Composer::Create(Profile8Header(), m).status().code() ==
          absl::StatusCode::kUnimplemented);
  }
  SECTION("a pivot above the BL range") {
    RpuMapping m = testing::IdentityMapping();
    m.curves[2].pred_pivot_value[0] = 10;  // 10 + 1023
    auto c = Composer::Create(Profile8Header(), m);
    REQUIRE(c.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(c.status().message()), Catch::Contains("Cr pivot 1 is 1033"));
  }
  SECTION("a header without bit depths") {
    RpuHeader h = Profile8Header();
    h.rpu_format = 0x100;
    CHECK(Composer::Create(h, testing::IdentityMapping()).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
  SECTION("NLQ data the header does not announce") {
    RpuMapping m = testing::IdentityMapping();
    m.nlq = testing::MakeNlq(512, 0.125, 1.0 / 4096, 0);
    CHECK(Composer::Create(Profile8Header(), m).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  SECTION("an RPU that reuses an earlier mapping") {
    Rpu rpu;
    rpu.header = Profile8Header();
    rpu.header.use_prev_vdr_rpu_flag = true;
    CHECK(Composer::Create(rpu).status().code() == absl::StatusCode::kFailedPrecondition);
  }
}

}  // namespace
}  // namespace mkvfleet::dovi
