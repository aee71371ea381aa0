// Throughput and memory of the dual-layer stream operations on a large Annex B file, measured
// against `cat FILE > /dev/null` of the same file in the same run (the I/O floor). Each operation
// runs in a child process so its peak RSS is its own; memory must not grow with file size.
//
// Usage: hevc_stream_bench [--ops=drop-el,extract,remove-rpu-el] [--kinds=sample-repeated,
//                          large-slices] [--repeat=N] [--keep] [FILE]
//   "extract" is extract + convert (mode 2). Without FILE, two kinds of temp file (removed afterwards) are
// made from the muxed dual-layer sample, each at 256 MiB and 1 GiB:
//   sample-repeated  the 256x144 sample as is, repeated (~340-byte frames: per-frame cost bound)
//   large-slices     the same stream with every BL slice grown to ~200 KB and every EL slice to
//                    ~50 KB of filler (frame sizes of a real UHD disc; per-byte cost bound)
// Each measurement runs N times (default 5), cat and the operations taking turns; the best runs
// of each are compared, and the medians are printed too: on a shared VM single runs of a 0.1 s
// job vary by 2x.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/dovi/rpu_convert.h"
#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/byte_io.h"
#include "common/dvstream/operations.h"
#include "common/hevc/nal_unit.h"

namespace {

namespace fs = std::filesystem;
using mkvfleet::dvstream::FileSink;
using mkvfleet::dvstream::FileSource;

struct Run {
  double seconds = 0;      // wall time
  double cpu_seconds = 0;  // user + system time: less sensitive to other load on the machine
  long max_rss_kib = 0;
  bool ok = false;
};

// Runs `body` in a child; returns wall time, the child's peak RSS and whether it exited 0.
Run InChild(const std::function<int()>& body) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Run r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.max_rss_kib = usage.ru_maxrss;
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  r.cpu_seconds = secs(usage.ru_utime) + secs(usage.ru_stime);
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

int Cat(const std::string& path) {
  execl("/bin/sh", "sh", "-c", "cat \"$0\" > /dev/null", path.c_str(), static_cast<char*>(nullptr));
  return 127;
}

// Runs one operation from `path` to /dev/null.
int Operation(const std::string& op, const std::string& path) {
  auto in = FileSource::Open(path);
  auto out = FileSink::Create("/dev/null");
  if (!in.ok() || !out.ok()) return 2;
  absl::Status st;
  if (op == "drop-el") {
    st = mkvfleet::dvstream::DropEnhancementLayer(**in, **out).status();
  } else if (op == "extract") {
    // Extract + convert, as `mkvctl dovi extract-rpu --mode 2` does.
    st = mkvfleet::dvstream::ExtractRpus(**in, **out, [](absl::Span<const uint8_t> rpu) {
           return mkvfleet::dovi::ConvertRpuPayload(rpu, mkvfleet::dovi::ConversionMode::kTo81);
         }).status();
  } else {
    st = mkvfleet::dvstream::Demux(**in, **out, nullptr).status();
  }
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", op.c_str(), std::string(st.message()).c_str());
    return 1;
  }
  return 0;
}

// The sample with slice NALs (BL slices, and EL slices inside type-63 wrappers) grown by filler
// bytes that contain no zeros, so the stream stays valid Annex B.
std::vector<char> WithLargeSlices(const std::vector<char>& sample) {
  mkvfleet::dvstream::MemorySource src(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(sample.data()), sample.size()));
  mkvfleet::dvstream::AccessUnitReader reader(src);
  mkvfleet::hevc::AccessUnit au;
  std::vector<char> out;
  uint32_t rng = 12345;
  while (*reader.Next(&au)) {
    for (size_t i = 0; i < au.size(); ++i) {
      const auto nal = au.nal(i);
      out.insert(out.end(), {0, 0, 0, 1});
      out.insert(out.end(), nal.begin(), nal.end());
      size_t filler = 0;
      if (mkvfleet::hevc::IsVcl(au.type(i))) filler = 200'000;
      if (au.type(i) == mkvfleet::hevc::kUnspec63 && nal.size() > 2 &&
          mkvfleet::hevc::IsVcl((nal[2] >> 1) & 0x3F)) {
        filler = 50'000;
      }
      for (size_t k = 0; k < filler; ++k) {
        rng = rng * 1664525u + 1013904223u;
        out.push_back(static_cast<char>(1 + (rng >> 24) % 255));
      }
    }
  }
  return out;
}

void WriteRepeated(const std::vector<char>& unit, uint64_t target_bytes, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  for (uint64_t written = 0; written < target_bytes; written += unit.size()) {
    out.write(unit.data(), static_cast<std::streamsize>(unit.size()));
  }
}

std::vector<std::string> g_ops = {"drop-el", "extract", "remove-rpu-el"};
bool g_keep = false;  // --keep: leave the generated files (for profiling with FILE)
std::vector<std::string> g_kinds = {"sample-repeated", "large-slices"};
int g_repeat = 5;

// Several runs of one command: the best (least wall, least CPU) and the median of each.
struct Runs {
  std::vector<Run> all;
  bool ok() const {
    return std::all_of(all.begin(), all.end(), [](const Run& r) { return r.ok; });
  }
  long max_rss_kib() const {
    long m = 0;
    for (const Run& r : all) m = std::max(m, r.max_rss_kib);
    return m;
  }
  double Best(double Run::*field) const { return Sorted(field).front(); }
  double Median(double Run::*field) const {
    const std::vector<double> v = Sorted(field);
    return v[v.size() / 2];
  }

 private:
  std::vector<double> Sorted(double Run::*field) const {
    std::vector<double> v;
    for (const Run& r : all) v.push_back(r.*field);
    std::sort(v.begin(), v.end());
    return v;
  }
};

void Measure(const std::string& label, const std::string& path) {
  const double mib = static_cast<double>(fs::file_size(path)) / (1 << 20);
  InChild([&] { return Cat(path); });  // warm the page cache
  Runs cat;
  std::vector<Runs> ops(g_ops.size());
  for (int rep = 0; rep < g_repeat; ++rep) {
    cat.all.push_back(InChild([&] { return Cat(path); }));
    for (size_t i = 0; i < g_ops.size(); ++i) {
      ops[i].all.push_back(InChild([&] { return Operation(g_ops[i], path); }));
    }
  }
  const double cat_wall = cat.Best(&Run::seconds), cat_cpu = cat.Best(&Run::cpu_seconds);
  std::printf(
      "%s, %.0f MiB, best of %d: cat %.3f s wall, %.3f s CPU (%.0f MiB/s), peak RSS %ld KiB\n",
      label.c_str(), mib, g_repeat, cat_wall, cat_cpu, mib / cat_wall, cat.max_rss_kib());
  for (size_t i = 0; i < g_ops.size(); ++i) {
    const Runs& r = ops[i];
    const double wall = r.Best(&Run::seconds), cpu = r.Best(&Run::cpu_seconds);
    // "cat/op": cat's time over the operation's (1.0 = as fast as cat); best runs, then medians.
    std::printf(
        "  %-14s %s %6.3f s wall %6.0f MiB/s cat/op %4.2f | %6.3f s CPU %6.0f MiB/s cat/op %4.2f "
        "| peak RSS %ld KiB | median cat/op %4.2f wall %4.2f CPU\n",
        g_ops[i].c_str(), r.ok() ? "ok  " : "FAIL", wall, mib / wall, cat_wall / wall, cpu,
        mib / cpu, cat_cpu / cpu, r.max_rss_kib(),
        cat.Median(&Run::seconds) / r.Median(&Run::seconds),
        cat.Median(&Run::cpu_seconds) / r.Median(&Run::cpu_seconds));
  }
}

constexpr char kUsage[] =
    "usage: hevc_stream_bench [--ops=drop-el,extract,remove-rpu-el]\n"
    "                         [--kinds=sample-repeated,large-slices] [--repeat=N] [--keep] [FILE]\n";

}  // namespace

int main(int argc, char** argv) {
  std::string file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--ops=", 0) == 0) {
      g_ops = absl::StrSplit(arg.substr(6), ',');
    } else if (arg == "--keep") {
      g_keep = true;
    } else if (arg.rfind("--kinds=", 0) == 0) {
      g_kinds = absl::StrSplit(arg.substr(8), ',');
    } else if (arg.rfind("--repeat=", 0) == 0) {
      if (!absl::SimpleAtoi(arg.substr(9), &g_repeat) || g_repeat < 1) {
        std::fputs(kUsage, stderr);
        return 2;
      }
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg.rfind("--", 0) == 0) {
      std::fprintf(stderr, "hevc_stream_bench: unknown flag %s\n%s", arg.c_str(), kUsage);
      return 2;
    } else {
      file = arg;
    }
  }
  auto known = [](const std::vector<std::string>& got, std::vector<std::string> allowed) {
    for (const std::string& g : got) {
      if (std::find(allowed.begin(), allowed.end(), g) == allowed.end()) {
        std::fprintf(stderr, "hevc_stream_bench: unknown %s\n%s", g.c_str(), kUsage);
        return false;
      }
    }
    return true;
  };
  if (!known(g_ops, {"drop-el", "extract", "remove-rpu-el"}) ||
      !known(g_kinds, {"sample-repeated", "large-slices"})) {
    return 2;
  }
  if (!file.empty()) {
    Measure(file, file);
    return 0;
  }
  const fs::path dir = fs::temp_directory_path() / ("hevc-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  for (const std::string& kind : g_kinds) {
    for (uint64_t size : {uint64_t{256} << 20, uint64_t{1} << 30}) {
      const std::string path =
          (dir / (kind + "-" + std::to_string(size >> 20) + "MiB.hevc")).string();
      // Built in a child so the parent's (and so every later child's) RSS stays small.
      InChild([&] {
        std::ifstream in(std::string(MKVFLEET_SOURCE_DIR) +
                             "/tests/data/dovi/hevc/regular_start_code_4_muxed_el.hevc",
                         std::ios::binary);
        std::vector<char> unit((std::istreambuf_iterator<char>(in)), {});
        if (kind == "large-slices") unit = WithLargeSlices(unit);
        WriteRepeated(unit, size, path);
        return 0;
      });
      Measure(kind, path);
      if (g_keep) {
        std::printf("  kept %s\n", path.c_str());
      } else {
        fs::remove(path);
      }
    }
  }
  if (!g_keep) fs::remove_all(dir);
  return 0;
}
