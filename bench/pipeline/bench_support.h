// Helpers of pipeline_bench: a media-pipeline job run in-process step by step (wall and CPU time
// per step), timed tool runs, and page-cache control so floors and jobs can be measured both on
// cached and on cold (evicted) sources.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/encode/encode_profile.h"
#include "agent/task.h"

namespace mkvfleet::bench {

// CPU seconds used so far by this process (all threads) and by its reaped children.
struct CpuTimes {
  double self = 0;
  double children = 0;
  CpuTimes operator-(const CpuTimes& o) const { return {self - o.self, children - o.children}; }
};
CpuTimes CpuNow();

// This process's bytes written to storage so far (/proc/self/io write_bytes; -1 if unknown).
int64_t ProcessWriteBytes();

// One step of a job run: wall seconds and CPU split between the bench process (in-process work:
// remux, scans) and the tools it ran (ffmpeg, x265, mkvmerge, ffprobe).
struct StepTiming {
  double seconds = 0;
  CpuTimes cpu;
};

struct JobRun {
  int64_t kernel_write_bytes = -1;  // written by this process (the in-process remux), per kernel
  double seconds = 0;
  std::map<std::string, StepTiming> steps_timing;
  std::vector<agent::StepRecord> steps;
  std::string output;
  int64_t bytes_written = 0;  // sum of the steps' bytes_written facts
};

// Runs every step of the media pipeline with `plan` on `source`, work files under `work`.
absl::StatusOr<JobRun> RunJob(const std::string& source, const std::string& work,
                              const std::string& plan, const agent::encode::EncodeProfile& profile,
                              bool direct_rewrite = true);

// "probe=0.40 (cpu 0.01+0.35) ..." for the steps that ran.
std::string StepTimes(const JobRun& r);

// A tool run: wall seconds, or an error with its stderr.
absl::StatusOr<double> TimeProcess(std::vector<std::string> argv);

// Writes back `path`'s dirty pages (fsync) and evicts its pages from the page cache
// (posix_fadvise DONTNEED), so the next reader reads the disk.
absl::Status DropFromCache(const std::string& path);
// Reads `path` once to the end, so the next reader finds it in the page cache.
absl::Status WarmCache(const std::string& path);

// Median of `v` (REQUIRES: non-empty).
double Median(std::vector<double> v);
// Geometric mean of the ratios of whole alternating pairs (the first 2 * (size / 2) entries;
// REQUIRES: size >= 2). With the order alternating, a cost of running first multiplies one
// ratio of each pair and divides the other, so this mean cancels it.
double OrderBalancedRatio(const std::vector<double>& ratios);

}  // namespace mkvfleet::bench
