// What chunk_bench prints: each run (baseline and chunked side by side, where the chunked job's
// time went), the medians with the ratios (speed-up, efficiency = speed-up / agents, serial
// shares), the per-frame and per-chunk costs, and the film model built from them. Printing only;
// the numbers come from job_timing and film_model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/chunked/film_model.h"
#include "bench/chunked/job_timing.h"

namespace mkvfleet::bench {

// One run: the whole-file job and the chunked job (either may be missing with --only).
struct RunPair {
  std::optional<JobTiming> baseline;
  std::optional<JobTiming> chunked;
  bool baseline_first = true;
};

// The title and fleet the runs share.
struct BenchShape {
  int64_t frames = 0;
  int width = 0;
  int height = 0;
  int agents = 0;
};

// The whole-file encode speed: frames / encode step seconds (0 when unknown).
double EncodeFps(const JobTiming& baseline, int64_t frames);

// The costs of one run with both jobs.
struct RunCosts {
  SerialTotals serial;
  double encode_fps = 0;      // whole-file encode step: frames / its seconds (one core)
  double chunk_overhead = 0;  // mean over chunks: claim to accepted minus frames / encode_fps
};
// REQUIRES: both jobs; frames > 0.
RunCosts CostsOf(const RunPair& run, int64_t frames);
// The medians over the runs with both jobs (zeros when there are none).
RunCosts MedianCosts(const std::vector<RunPair>& runs, int64_t frames);
bool HasBoth(const RunPair& run);

// "run 1 (baseline first): ..." and its detail lines; `label` replaces "run N" when set.
void PrintRun(int number, const RunPair& run, const BenchShape& shape,
              const std::string& label = "");
// The medians over runs and the ratios, with the goal.
void PrintSummary(const std::vector<RunPair>& runs, const BenchShape& shape);
// The costs per frame and per chunk (medians over runs with both jobs), their split into fixed
// and per-frame parts (`fit_frames` > 0: from a title of that many frames), and the chunk phase
// against its list-scheduled ideal.
void PrintCosts(const std::vector<RunPair>& runs, const BenchShape& shape,
                const MeasuredCosts& costs, int64_t fit_frames);
// The film on each of `vms` VMs, with the per-frame costs scaled by 1 and, when different,
// `scale`.
void PrintFilmModel(const MeasuredCosts& costs, const BenchShape& shape, const FilmSpec& film,
                    int film_width, int film_height, const std::vector<int>& vms, double scale);

}  // namespace mkvfleet::bench
