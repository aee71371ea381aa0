// A title's Dolby Vision brightness over time, reduced to what a picture can show: per-frame L1
// max and average (PQ codes) and scene starts, folded into at most N buckets of consecutive frames
// (a 2-hour film has 170,000 frames; a plot is a few hundred pixels wide). Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::plot {

// One frame's L1 metadata (12-bit PQ codes) and whether a scene starts there.
struct FrameBrightness {
  uint16_t max_pq = 0;
  uint16_t avg_pq = 0;
  bool scene_start = false;
};

// Consecutive frames [first_frame, first_frame + frames): the largest max, the mean average,
// and how many scenes start inside.
struct BrightnessBucket {
  int64_t first_frame = 0;
  int64_t frames = 0;
  uint16_t max_pq = 0;
  double avg_pq = 0;
  int64_t scene_starts = 0;
};

// The whole title folded into buckets, plus title-wide figures.
struct BrightnessSeries {
  int64_t frames = 0;
  std::vector<BrightnessBucket> buckets;  // in frame order, covering every frame once
  uint16_t peak_max_pq = 0;               // the largest L1 max of any frame
  double mean_avg_pq = 0;                 // the mean of every frame's L1 average
  int64_t scene_starts = 0;
};

// Folds `frames` into at most `max_buckets` (>= 1) buckets of equal size (the last may be
// shorter); fewer frames than buckets keep one bucket per frame.
BrightnessSeries FoldBrightness(const std::vector<FrameBrightness>& frames, int max_buckets);

// The step fact (of the probe step) that carries EncodeBrightness's text from agent to dashboard.
inline constexpr char kBrightnessFact[] = "brightness";
// How many buckets the agent folds a title into for that fact (~10 KB of text).
inline constexpr int kBrightnessFactBuckets = 600;

// A series as compact text, for a step fact the agent reports and the dashboard draws from:
// "brightness/1 FRAMES PER_BUCKET PEAK MEAN_X10 SCENES" then per bucket " MAX:AVG_X10:SCENES".
std::string EncodeBrightness(const BrightnessSeries& series);
// Inverse of EncodeBrightness. Errors: InvalidArgument naming what does not parse.
absl::StatusOr<BrightnessSeries> DecodeBrightness(absl::string_view text);

}  // namespace mkvfleet::plot
