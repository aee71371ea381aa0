// Cost of composing one 3840x2160 Dolby Vision frame on one core (BL + RPU -> 12-bit picture,
// without and with the EL), next to a floor measured in the same run: converting the same BL
// planes to 12 bits (x << 2 into fresh output planes), the least work that reads every BL sample
// and writes every output sample. The RPUs are dovi_tool's profile 7 FEL (8-piece luma, order-3
// MMR chroma, real NLQ) and profile 8.1 samples. Times are thread CPU time.
// Usage: compose_bench [samples dir, default tests/data/dovi of the source tree] [seconds per
//                      measurement, default 2]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "common/dovi/compose/composer.h"
#include "common/dovi/compose/el_upsample.h"
#include "common/dovi/rpu.h"
#include "common/dovi/rpu_file_bytes.h"

namespace {

namespace dovi = mkvfleet::dovi;
namespace compose = mkvfleet::dovi::compose;

constexpr int kWidth = 3840;
constexpr int kHeight = 2160;

double ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// The first RPU of a sample file, or exits with a message.
dovi::Rpu LoadRpu(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  auto payloads = dovi::ParseRpuFile(bytes);
  if (!payloads.ok() || payloads->empty()) {
    std::fprintf(stderr, "compose_bench: no RPU in %s\n", path.c_str());
    std::exit(1);
  }
  auto rpu = dovi::ParseRpu((*payloads)[0]);
  if (!rpu.ok()) {
    std::fprintf(stderr, "compose_bench: %s: %s\n", path.c_str(),
                 std::string(rpu.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(rpu);
}

// A picture-like frame: smooth gradients plus a little noise, so tables and branches see a
// realistic spread of codes.
compose::Frame420 TestFrame(int width, int height, int centre, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(-8, 8);
  compose::Frame420 f = compose::Frame420::Make(width, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      f.y.at(x, y) = static_cast<uint16_t>(
          std::clamp(64 + (900 * x) / width + (50 * y) / height + noise(rng), 0, 1023));
  for (compose::Plane16* p : {&f.cb, &f.cr})
    for (int y = 0; y < p->height; ++y)
      for (int x = 0; x < p->width; ++x)
        p->at(x, y) = static_cast<uint16_t>(
            std::clamp(centre + (120 * x) / p->width - (60 * y) / p->height + noise(rng), 0, 1023));
  return f;
}

// Runs `work` until `seconds` of CPU time have passed; returns ms per call.
template <class F>
double MsPerFrame(double seconds, F&& work) {
  work();  // warm up: first-touch page faults of the output buffers
  long frames = 0;
  const double start = ThreadCpuNs();
  double now = start;
  while (frames < 3 || now - start < seconds * 1e9) {
    work();
    ++frames;
    now = ThreadCpuNs();
  }
  return (now - start) / 1e6 / static_cast<double>(frames);
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? argv[1] : std::filesystem::path(MKVFLEET_SOURCE_DIR) / "tests" / "data" / "dovi";
  const double seconds = argc > 2 ? std::stod(argv[2]) : 2.0;
  auto fel = compose::Composer::Create(LoadRpu(dir / "rpu" / "fel_orig.bin"));
  auto p81 = compose::Composer::Create(LoadRpu(dir / "rpu" / "profile8.bin"));
  if (!fel.ok() || !p81.ok()) {
    std::fprintf(stderr, "compose_bench: %s\n",
                 std::string((fel.ok() ? p81.status() : fel.status()).message()).c_str());
    return 1;
  }
  const compose::Frame420 bl = TestFrame(kWidth, kHeight, 512, 1);
  const compose::Frame420 el_half = TestFrame(kWidth / 2, kHeight / 2, 512, 2);
  const compose::Frame420 el_full = TestFrame(kWidth, kHeight, 512, 3);
  compose::Frame420 out = compose::Frame420::Make(kWidth, kHeight);
  bool ok = true;

  const double floor_ms = MsPerFrame(seconds, [&] {
    for (auto plane : {&compose::Frame420::y, &compose::Frame420::cb, &compose::Frame420::cr}) {
      const std::vector<uint16_t>& src = (bl.*plane).samples;
      std::vector<uint16_t>& dst = (out.*plane).samples;
      for (size_t i = 0; i < src.size(); ++i) dst[i] = static_cast<uint16_t>(src[i] << 2);
    }
  });
  const auto timed = [&](const compose::Composer& c, const compose::Frame420* el) {
    return MsPerFrame(seconds, [&] { ok &= c.Compose(bl, el, out).ok(); });
  };
  const double p81_ms = timed(*p81, nullptr);
  const double fel_no_el_ms = timed(*fel, nullptr);
  const double fel_half_ms = timed(*fel, &el_half);
  const double fel_full_ms = timed(*fel, &el_full);
  const double upsample_ms = MsPerFrame(seconds, [&] {
    ok &=
        compose::UpsampleElPlane(el_half.y, compose::PlaneKind::kLuma, kWidth, kHeight, 1023).ok();
    for (const compose::Plane16* p : {&el_half.cb, &el_half.cr}) {
      ok &= compose::UpsampleElPlane(*p, compose::PlaneKind::kChroma, kWidth / 2, kHeight / 2, 1023)
                .ok();
    }
  });

  std::printf("compose %dx%d 4:2:0, one core (thread CPU time)\n", kWidth, kHeight);
  std::printf("%-44s %8.2f ms/frame  %6.1fx floor\n", "floor (BL planes << 2 into output)",
              floor_ms, 1.0);
  const auto line = [&](const char* what, double ms) {
    std::printf("%-44s %8.2f ms/frame  %6.1fx floor\n", what, ms, ms / floor_ms);
  };
  line("profile8.bin, no EL (mapping only)", p81_ms);
  line("fel_orig.bin, no EL (mapping only, MMR-3)", fel_no_el_ms);
  line("fel_orig.bin + 1920x1080 EL (upsampled)", fel_half_ms);
  line("fel_orig.bin + 3840x2160 EL", fel_full_ms);
  line("EL upsampling alone (1920x1080 -> 3840x2160)", upsample_ms);
  return ok ? 0 : 1;
}
