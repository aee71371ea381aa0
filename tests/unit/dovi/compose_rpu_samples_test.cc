// The composer driven by real RPUs (dovi_tool's test vectors): a profile 7 FEL, a profile 7 MEL
// and a profile 8.1 RPU, on synthetic BL/EL frames whose expected output follows from the
// decoded parameters.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>

#include "common/dovi/compose/composer.h"
#include "common/dovi/rpu.h"
#include "tests/unit/dovi/dovi_test_util.h"

namespace mkvfleet::dovi {
namespace {

using compose::Composer;
using compose::Frame420;

Rpu ParseSample(const std::string& name) {
  const std::vector<uint8_t> payload = testing::SinglePayload(name);
  auto rpu = ParseRpu(payload);
  if (!rpu.ok()) FAIL(name << ": " << rpu.status().ToString());
  return *std::move(rpu);
}

Composer ComposerFor(const std::string& name) {
  auto c = Composer::Create(ParseSample(name));
  if (!c.ok()) FAIL(name << ": " << c.status().ToString());
  return *std::move(c);
}

Frame420 Compose(const Composer& c, const Frame420& bl, const Frame420* el = nullptr) {
  auto out = c.Compose(bl, el);
  if (!out.ok()) FAIL(out.status().ToString());
  return *std::move(out);
}

Frame420 RandomFrame(int w, int h, int max, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> code(0, max);
  Frame420 f = Frame420::Make(w, h);
  for (compose::Plane16* p : {&f.y, &f.cb, &f.cr})
    for (uint16_t& s : p->samples) s = static_cast<uint16_t>(code(rng));
  return f;
}

// BL luma 0..1023 along x (64 x 16 per row of 1024), chroma neutral.
Frame420 LumaRamp() {
  Frame420 f = Frame420::Make(1024, 4, 0, 512);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 1024; ++x) f.y.at(x, y) = static_cast<uint16_t>(x);
  return f;
}

TEST_CASE("compose fel_orig.bin: identity luma, residual adds EL steps", "[compose]") {
  const Composer c = ComposerFor("fel_orig.bin");
  REQUIRE(c.has_residual());
  REQUIRE(c.mapping().curves[0].pieces.size() == 8);
  const Frame420 bl = LumaRamp();
  const Frame420 plain = Compose(c, bl);
  // Every luma piece of this RPU is y = x, so without the EL the luma is BL << 2.
  for (int x = 0; x < 1024; ++x) REQUIRE(plain.y.at(x, 2) == 4 * x);

  // EL at nlq_offset (512) everywhere: no residual at all.
  const Frame420 neutral_el = Frame420::Make(1024, 4, 512, 512);
  CHECK(Compose(c, bl, &neutral_el) == plain);

  // EL 576: (64 - 1/2) * slope 2^-12 = 63.5 twelve-bit codes; with v16 = 64 s the sum rounds to
  // exactly 4 s + 64.
  const Frame420 el = Frame420::Make(1024, 4, 576, 512);
  const Frame420 raised = Compose(c, bl, &el);
  for (int x = 0; x < 1024; ++x) REQUIRE(raised.y.at(x, 1) == std::min(4 * x + 64, 4095));
  CHECK(raised.cb == plain.cb);
  // The same constant EL at half size (the UHD Blu-ray layout) upsamples to the same picture.
  const Frame420 half_el = Frame420::Make(512, 2, 576, 512);
  CHECK(Compose(c, bl, &half_el) == raised);

  // A random FEL residual changes nearly every sample (slope 2^-12: one EL step is one code).
  const Frame420 noisy_el = RandomFrame(1024, 4, 1023, 7);
  const Frame420 noisy = Compose(c, bl, &noisy_el);
  size_t changed = 0;
  for (size_t i = 0; i < noisy.y.samples.size(); ++i)
    changed += noisy.y.samples[i] != plain.y.samples[i];
  INFO("changed luma samples: " << changed << " of " << noisy.y.samples.size());
  CHECK(changed > noisy.y.samples.size() * 9 / 10);
}

TEST_CASE("compose fel_orig.bin: order-3 MMR keeps grey neutral", "[compose]") {
  // Decoded by hand from this RPU (docs notes, section 2): the neutral axis (y, 1/2, 1/2) maps
  // to Cb ~ Cr ~ 0.500 for y in 0.1 .. 0.7. Only the documented term order gives that.
  const Composer c = ComposerFor("fel_orig.bin");
  REQUIRE(c.mapping().curves[1].pieces[0].is_mmr);
  REQUIRE(c.mapping().curves[1].pieces[0].order == 3);
  for (int y = 100; y <= 700; y += 50) {
    const Frame420 grey = Frame420::Make(8, 8, static_cast<uint16_t>(y), 512);
    const Frame420 out = Compose(c, grey);
    INFO("luma code " << y << " Cb " << out.cb.at(1, 1) << " Cr " << out.cr.at(1, 1));
    CHECK(std::abs(out.cb.at(1, 1) - 2048) <= 2);
    CHECK(std::abs(out.cr.at(1, 1) - 2048) <= 2);
  }
}

TEST_CASE("compose mel_orig.bin: any EL gives the picture without EL", "[compose]") {
  const Composer c = ComposerFor("mel_orig.bin");
  REQUIRE(c.has_residual());
  const Frame420 bl = RandomFrame(64, 32, 1023, 1);
  const Frame420 plain = Compose(c, bl);
  for (uint32_t seed : {2u, 3u}) {
    const Frame420 el = RandomFrame(64, 32, 1023, seed);
    CHECK(Compose(c, bl, &el) == plain);
    const Frame420 half_el = RandomFrame(32, 16, 1023, seed);
    CHECK(Compose(c, bl, &half_el) == plain);
  }
}

TEST_CASE("compose profile8.bin: mapping only, monotonic sane luma", "[compose]") {
  const Rpu rpu = ParseSample("profile8.bin");
  const Composer c = ComposerFor("profile8.bin");
  CHECK_FALSE(c.has_residual());
  const Frame420 bl = LumaRamp();
  const Frame420 out = Compose(c, bl);
  for (int x = 1; x < 1024; ++x) REQUIRE(out.y.at(x, 0) >= out.y.at(x - 1, 0));
  INFO("luma 0 -> " << out.y.at(0, 0) << ", 512 -> " << out.y.at(512, 0) << ", 1023 -> "
                    << out.y.at(1023, 0) << "; neutral Cb " << out.cb.at(0, 0));
  CHECK(out.y.at(1023, 0) - out.y.at(0, 0) > 3000);  // spans most of the 12-bit range
  CHECK(std::abs(out.y.at(512, 0) - 2048) < 200);    // roughly the identity in the middle
  CHECK(std::abs(out.cb.at(0, 0) - 2048) <= 8);      // grey stays grey
  // This sample carries the profile 8.1 identity curves (what mode 2 writes for a FEL), so the
  // composed picture is exactly the BL at 12 bits: what dv-bake's re-encoded BL relies on.
  for (const ReshapingCurve& curve : rpu.mapping->curves) REQUIRE(curve.IsIdentity());
  for (int x = 0; x < 1024; ++x) REQUIRE(out.y.at(x, 3) == 4 * x);
  const Frame420 el = Frame420::Make(1024, 4, 512, 512);
  CHECK(c.Compose(bl, &el).status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mkvfleet::dovi
