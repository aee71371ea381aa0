// Sampled SSIM: segments, command, summary line (see the header).
#include "agent/encode/ssim_parse.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mkvfleet::agent::encode {

std::vector<SsimSegment> PlanSsimSegments(double duration_s, const SsimSampling& s) {
  const double covered = std::max(1, s.segments) * s.segment_seconds;
  const double budget =
      std::min(covered, std::max(s.min_seconds, s.max_share * std::max(duration_s, 0.0)));
  if (duration_s <= 0 || budget >= duration_s) return {SsimSegment{}};
  if (budget < covered || s.segments <= 1) return {SsimSegment{0, budget}};
  std::vector<SsimSegment> out;
  // Centres at (i + 0.5) / n of the film.
  for (int i = 0; i < s.segments; ++i) {
    const double centre = duration_s * (i + 0.5) / s.segments;
    out.push_back({centre - s.segment_seconds / 2, s.segment_seconds});
  }
  return out;
}

std::vector<std::string> SsimArgs(const std::string& ffmpeg, const std::string& source,
                                  const std::string& output, const SsimSegment& seg,
                                  const std::string& pix_fmt) {
  std::vector<std::string> a = {ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "info"};
  auto input = [&](const std::string& path) {
    if (seg.length_s > 0) {
      a.insert(a.end(), {"-ss", absl::StrFormat("%.3f", seg.start_s), "-t",
                         absl::StrFormat("%.3f", seg.length_s)});
    }
    a.insert(a.end(), {"-i", path});
  };
  input(output);
  input(source);
  a.insert(a.end(), {"-lavfi",
                     absl::StrCat("[0:v:0]format=", pix_fmt, "[d];[1:v:0]format=", pix_fmt,
                                  "[r];[d][r]ssim"),
                     "-f", "null", "-"});
  return a;
}

absl::StatusOr<double> ParseSsimAll(absl::string_view text) {
  // "[Parsed_ssim_2 @ 0x..] SSIM Y:0.94 (12.2) U:.. V:.. All:0.940174 (12.231135)"
  const size_t line = text.rfind("] SSIM Y:");
  if (line == absl::string_view::npos) {
    return absl::NotFoundError("ffmpeg printed no SSIM summary (no frames compared?)");
  }
  absl::string_view rest = text.substr(line);
  const size_t all = rest.find("All:");
  if (all == absl::string_view::npos) return absl::NotFoundError("SSIM line without All:");
  rest.remove_prefix(all + 4);
  const size_t end = rest.find_first_of(" \r\n");
  const absl::string_view number = rest.substr(0, end);
  double v = 0;
  if (!absl::SimpleAtod(number, &v) || !(v >= 0 && v <= 1)) {  // NaN too
    return absl::InvalidArgumentError(absl::StrCat("SSIM All: \"", number, "\" is not 0..1"));
  }
  return v;
}

}  // namespace mkvfleet::agent::encode
