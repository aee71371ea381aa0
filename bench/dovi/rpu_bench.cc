// Throughput of the per-frame RPU work of a P7 -> 8.1 conversion (parse + convert mode 2 + write)
// on the real samples, on one core, next to a floor measured in the same run: copying the same
// bytes and computing their CRC32, the least work that touches every byte.
// Times are thread CPU time, so other load on a shared machine disturbs them less.
// The samples are mostly profile 8 RPUs, which mode 2 leaves as they are; the profile 7 ones (the
// RPUs a P7 -> 8.1 run really converts) are also timed alone, on an extra line.
// Usage: rpu_bench [samples dir, default tests/data/dovi of the source tree] [seconds, default 2]
//                  [passes: run exactly this many passes over the samples instead of timing by
//                   seconds; for instruction counts under valgrind --tool=callgrind]
#include <time.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/dovi/crc32.h"
#include "common/dovi/rpu_convert.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/dovi/rpu_profile.h"

namespace {

namespace dovi = mkvfleet::dovi;

// CPU time of this thread in nanoseconds.
double ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

std::vector<std::vector<uint8_t>> LoadPayloads(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir / "rpu")) files.push_back(e.path());
  files.push_back(dir / "hevc" / "regular_rpu.bin");
  std::vector<std::vector<uint8_t>> out;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    auto payloads = dovi::ParseRpuFile(bytes);
    if (!payloads.ok()) continue;
    for (auto p : *payloads) {
      // Keep what a P7 -> 8.1 run would convert: RPUs that parse and accept mode 2.
      if (dovi::ConvertRpuPayload(p, dovi::ConversionMode::kTo81).ok())
        out.emplace_back(p.begin(), p.end());
    }
  }
  return out;
}

// Runs `work` over all payloads until `seconds` of CPU time have passed (or exactly `passes`
// times when passes > 0); returns ns per RPU.
template <class F>
double NsPerRpu(const std::vector<std::vector<uint8_t>>& payloads, double seconds, long passes,
                F&& work) {
  uint64_t rpus = 0;
  const double start = ThreadCpuNs();
  double now = start;
  for (long pass = 0; passes > 0 ? pass < passes : now - start < seconds * 1e9; ++pass) {
    for (const auto& p : payloads) work(p);
    rpus += payloads.size();
    // Reading the thread clock costs about a microsecond here (a VM): not after a short pass.
    if (passes > 0 || pass % (1 + 1000 / payloads.size()) == 0) now = ThreadCpuNs();
  }
  now = ThreadCpuNs();
  return (now - start) / static_cast<double>(rpus);
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? argv[1] : std::filesystem::path(MKVFLEET_SOURCE_DIR) / "tests" / "data" / "dovi";
  const double seconds = argc > 2 ? std::stod(argv[2]) : 2.0;
  const long passes = argc > 3 ? std::stol(argv[3]) : 0;
  const auto payloads = LoadPayloads(dir);
  if (payloads.empty()) {
    std::fprintf(stderr, "rpu_bench: no RPU samples under %s\n", dir.c_str());
    return 1;
  }
  size_t bytes = 0;
  for (const auto& p : payloads) bytes += p.size();

  volatile uint32_t sink = 0;
  std::vector<uint8_t> copy(8192);
  const double floor_ns = NsPerRpu(payloads, seconds, passes, [&](const std::vector<uint8_t>& p) {
    std::memcpy(copy.data(), p.data(), p.size());
    sink = sink + dovi::Crc32Mpeg2(absl::MakeConstSpan(copy.data(), p.size()));
  });
  size_t failures = 0;
  std::vector<uint8_t> out;  // one output buffer, as a stream operation would keep
  const auto convert = [&](const std::vector<uint8_t>& p) {
    if (dovi::ConvertRpuPayload(p, dovi::ConversionMode::kTo81, out).ok())
      sink = sink + static_cast<uint32_t>(out.size());
    else
      ++failures;
  };
  const double convert_ns = NsPerRpu(payloads, seconds, passes, convert);
  std::vector<std::vector<uint8_t>> p7;
  for (const auto& p : payloads) {
    if (auto rpu = dovi::ParseRpu(p); rpu.ok() && dovi::DetectProfile(rpu->header) == 7)
      p7.push_back(p);
  }
  // Timed runs only: with a pass count (callgrind) every ConvertRpuPayload call is the main set's.
  const double p7_ns = p7.empty() || passes > 0 ? 0 : NsPerRpu(p7, seconds / 4, 0, convert);

  std::printf("RPU samples: %zu payloads, %.1f bytes average\n", payloads.size(),
              static_cast<double>(bytes) / static_cast<double>(payloads.size()));
  std::printf("floor (memcpy + CRC32):     %8.1f ns/RPU  %12.0f RPUs/s\n", floor_ns,
              1e9 / floor_ns);
  std::printf("parse + mode 2 + write:     %8.1f ns/RPU  %12.0f RPUs/s\n", convert_ns,
              1e9 / convert_ns);
  std::printf("ratio to floor:             %8.1fx\n", convert_ns / floor_ns);
  if (p7_ns > 0) {
    std::printf("  profile 7 RPUs alone (%zu): %8.1f ns/RPU  %12.0f RPUs/s\n", p7.size(), p7_ns,
                1e9 / p7_ns);
  }
  return failures == 0 ? 0 : 1;
}
