// The raw ffmpeg | x265 ceiling (see the header).
#include "bench/chunked/raw_ceiling.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agent/encode/encoder_pipe.h"
#include "common/chunk/chunk_commands.h"

namespace mkvfleet::bench {
namespace {

// Encodes frames [first, first + count) of the title on `cpu`; returns the wall seconds.
absl::StatusOr<double> EncodeRange(const RawCeilingSpec& s, int cpu, int64_t first, int64_t count,
                                   const std::string& output) {
  const std::string core = absl::StrCat(cpu);
  agent::encode::PipeRequest req;
  req.decode = {s.taskset, "-c", core, s.ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error"};
  if (first > 0) {
    req.decode.insert(req.decode.end(),
                      {"-ss", chunk::SeekSeconds(first, s.fps_num, s.fps_den)});
  }
  req.decode.insert(req.decode.end(),
                    {"-i", s.title, "-frames:v", absl::StrCat(count), "-map", "0:v:0",
                     "-fps_mode", "passthrough", "-pix_fmt", "yuv420p10le", "-strict", "-1", "-f",
                     "yuv4mpegpipe", "-"});
  req.encode = {s.taskset, "-c", core, s.x265, "--preset", s.preset, "--crf", absl::StrCat(s.crf),
                "--output-depth", "10", "--profile", "main10", "--no-open-gop",
                "--repeat-headers"};
  for (const std::string& f : X265ParamsToFlags(s.x265_params)) req.encode.push_back(f);
  req.encode.insert(req.encode.end(), {"--input", "-", "--y4m", "--frames", absl::StrCat(count),
                                       "--output", output});
  req.timeout = absl::Hours(4);
  req.cancel = s.cancel;
  const absl::Time start = absl::Now();
  absl::StatusOr<agent::encode::PipeResult> r = agent::encode::RunDecodeEncodePipe(req);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::error_code ec;
  std::filesystem::remove(output, ec);
  if (!r.ok()) return r.status();
  if (!r->decode.success() || !r->encode.success()) {
    return absl::InternalError(absl::StrCat("raw encode of frames ", first, "+", count, " on cpu ",
                                            cpu, ": ffmpeg ", r->decode.Describe(), ", x265 ",
                                            r->encode.Describe(), ": ", r->encode.stderr_tail));
  }
  return seconds;
}

}  // namespace

std::vector<std::string> X265ParamsToFlags(const std::string& params) {
  std::vector<std::string> flags;
  for (absl::string_view kv : absl::StrSplit(params, ':', absl::SkipEmpty())) {
    const std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    flags.push_back(absl::StrCat("--", p.first));
    if (!p.second.empty()) flags.push_back(p.second);
  }
  return flags;
}

namespace {

// The ranges on one worker per cpu, each taking the next when free; returns the wall seconds.
absl::StatusOr<double> EncodeRangesInParallel(const RawCeilingSpec& s) {
  std::mutex mu;
  int next = 0;
  absl::Status failed;
  const absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (size_t w = 0; w < s.cpus.size(); ++w) {
    workers.emplace_back([&, w] {
      while (true) {
        int range;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (next >= s.ranges || !failed.ok()) return;
          range = next++;
        }
        const int64_t first = s.frames * range / s.ranges;
        const int64_t last = s.frames * (range + 1) / s.ranges;
        absl::StatusOr<double> r = EncodeRange(s, s.cpus[w], first, last - first,
                                               absl::StrCat(s.work_dir, "/raw-", range, ".hevc"));
        if (!r.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          failed = r.status();
          return;
        }
      }
    });
  }
  for (std::thread& t : workers) t.join();
  if (!failed.ok()) return failed;
  return absl::ToDoubleSeconds(absl::Now() - start);
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

std::vector<double> RawCeiling::efficiencies() const {
  std::vector<double> out;
  for (size_t i = 0; i < whole_seconds.size() && i < parallel_seconds.size(); ++i) {
    out.push_back(parallel_seconds[i] > 0 ? whole_seconds[i] / (workers * parallel_seconds[i])
                                          : 0);
  }
  return out;
}

double RawCeiling::efficiency() const { return Median(efficiencies()); }

absl::StatusOr<RawCeiling> MeasureRawCeiling(const RawCeilingSpec& s) {
  if (s.cpus.empty() || s.ranges < 1 || s.frames < s.ranges || s.repeats < 1) {
    return absl::InvalidArgumentError(
        "raw ceiling: needs cpus, ranges >= 1, a frame each and repeats >= 1");
  }
  RawCeiling out;
  out.workers = static_cast<int>(s.cpus.size());
  for (int pair = 0; pair < s.repeats; ++pair) {
    for (bool whole : {pair % 2 == 0, pair % 2 != 0}) {
      absl::StatusOr<double> t =
          whole ? EncodeRange(s, s.cpus[0], 0, s.frames, s.work_dir + "/raw-whole.hevc")
                : EncodeRangesInParallel(s);
      if (!t.ok()) return t.status();
      (whole ? out.whole_seconds : out.parallel_seconds).push_back(*t);
    }
  }
  return out;
}

}  // namespace mkvfleet::bench
