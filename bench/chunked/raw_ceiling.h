// The floor the chunked job is compared against: the same ffmpeg | x265 work with no mkvfleet
// around it. One raw encode of the whole title on the first core, then the title cut into the
// same number of equal frame ranges, encoded by N workers each pinned to its own core, each
// taking the next range when free. Its efficiency (whole / (N x parallel)) is what this box allows
// for N one-core encoders, including x265's start-up per range: cores that share caches and
// memory bandwidth, or run at different speeds (VMs), never reach 1.0, and mkvfleet's own
// efficiency is read against it. A VM's speed can drift by tens of percent within minutes, so the
// pair is measured `repeats` times, whole and parallel alternating in order, and the efficiency
// is the median of the pairs' ratios.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mkvfleet::bench {

struct RawCeilingSpec {
  std::string ffmpeg = "ffmpeg", x265 = "x265", taskset = "taskset";
  std::string title;     // the source .mkv
  std::string work_dir;  // outputs go here (removed after each encode)
  int64_t frames = 0;
  int fps_num = 24, fps_den = 1;
  int ranges = 2;         // how many ranges (the chunked job's chunk count)
  std::vector<int> cpus;  // worker i runs on cpus[i]; cpus[0] runs the whole-title encode
  std::string preset = "medium";
  double crf = 20;
  std::string x265_params;  // "key=value:key=value" as in the agent config
  int repeats = 3;  // pairs, alternating which side runs first
  const std::atomic<bool>* cancel = nullptr;
};

struct RawCeiling {
  std::vector<double> whole_seconds;     // per pair: one encode of every frame on cpus[0]
  std::vector<double> parallel_seconds;  // per pair: the ranges on cpus.size() workers
  int workers = 0;
  // Per pair: whole / (workers x parallel).
  std::vector<double> efficiencies() const;
  // The median pair's: the best efficiency chunking can show on this box.
  double efficiency() const;
};

// Runs both; an error names the failing command.
absl::StatusOr<RawCeiling> MeasureRawCeiling(const RawCeilingSpec& spec);

// "pools=1:frame-threads=1" -> {"--pools", "1", "--frame-threads", "1"}; a key without a value
// becomes a bare flag.
std::vector<std::string> X265ParamsToFlags(const std::string& params);

}  // namespace mkvfleet::bench
