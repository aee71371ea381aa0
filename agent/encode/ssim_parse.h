// The pure half of the sampled SSIM check (ssim_check.h): which segments of the film are
// compared, the ffmpeg command for one, and the parsing of its "SSIM Y:.. All:0.98 (..)" line.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::agent::encode {

// How much of the film is compared. The compared time is bounded by a share of the film so
// the check stays a small fraction of the encode it judges, whatever the film's length.
struct SsimSampling {
  int segments = 4;              // segments spread evenly over a long film
  double segment_seconds = 2.0;  // each this long
  double max_share = 0.05;       // compare at most this share of the film ...
  double min_seconds = 1.0;      // ... but at least this many seconds
};

// One stretch compared: [start, start + length) seconds; length 0 = to the end.
struct SsimSegment {
  double start_s = 0;
  double length_s = 0;
  bool operator==(const SsimSegment&) const = default;
};

// The segments for a film of `duration_s`. The budget is max_share of the film, at least
// min_seconds, at most segments x segment_seconds. Unknown duration, or a budget covering the
// whole film: one whole-film segment. A film too short for every segment (budget below
// segments x segment_seconds): one segment of the budget from the start, because seeking into
// a short film decodes from its first keyframe anyway, so a prefix compares the same number of
// frames for the least decoding. Otherwise `segments` evenly spaced ones.
std::vector<SsimSegment> PlanSsimSegments(double duration_s, const SsimSampling& sampling);

// ffmpeg comparing `output` (distorted) with `source` (reference) over one segment, both
// converted to `pix_fmt`; the result line goes to stderr.
std::vector<std::string> SsimArgs(const std::string& ffmpeg, const std::string& source,
                                  const std::string& output, const SsimSegment& segment,
                                  const std::string& pix_fmt);

// The "All:" value of the ssim filter's summary line in ffmpeg's stderr text. Errors:
// NotFound when no summary line is present (e.g. no frame was compared), InvalidArgument when
// the value is not a number.
absl::StatusOr<double> ParseSsimAll(absl::string_view ffmpeg_stderr);

}  // namespace mkvfleet::agent::encode
