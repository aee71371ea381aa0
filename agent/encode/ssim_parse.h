// The pure half of the sampled SSIM check (ssim_check.h): which segments of the film are
// compared, the ffmpeg command for one, and the parsing of its "SSIM Y:.. All:0.98 (..)" line.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::agent::encode {

// How much of the film is compared.
struct SsimSampling {
  int segments = 4;              // segments spread evenly over the film
  double segment_seconds = 2.0;  // each this long
};

// One stretch compared: [start, start + length) seconds; length 0 = to the end.
struct SsimSegment {
  double start_s = 0;
  double length_s = 0;
  bool operator==(const SsimSegment&) const = default;
};

// The segments for a film of `duration_s`: one whole-film segment when the samples would cover
// half of it or more (or the duration is unknown), else `segments` evenly spaced ones.
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
