// What `mkvctl dovi info` reports about an input, gathered RPU by RPU, and its two renderings:
// a JSON object (--json) and a few aligned lines for humans. Building and rendering are pure.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/dovi/rpu_summary.h"
#include "common/dvstream/frame_rpus.h"
#include "common/libav/matroska_reader.h"
#include "ctl/dovi/input_kind.h"

namespace mkvfleet::ctl {

// Everything info prints.
struct InfoReport {
  std::string file;
  InputKind kind = InputKind::kRpuFile;
  dovi::RpuSummary summary;
  dovi::PqStats l1_min_pq;               // over the same RPUs as summary.l1_*
  std::optional<libav::VideoTrackInfo> video;  // Matroska inputs
  std::optional<dvstream::RpuCensus> census;   // Matroska inputs: RPUs against frames
};

// How many frame numbers `frames_without_rpu` (and `frames_with_several_rpus`) list.
inline constexpr size_t kInfoFramesListed = 10;

// Feeds RPU payloads one by one into a summary. Not thread-safe.
class InfoCollector {
 public:
  // Parses one payload. Errors: the parser's, prefixed with "RPU <n>: " (1-based).
  absl::Status Add(absl::Span<const uint8_t> payload);
  // Fills report->summary and report->l1_min_pq.
  void Finish(InfoReport* report) const;

 private:
  dovi::RpuSummaryBuilder builder_;
  uint64_t count_ = 0;
  uint64_t l1_count_ = 0;
  uint64_t sum_min_pq_ = 0;
  dovi::PqStats min_pq_;
};

// JSON object: file, input, profile (int, null without RPUs), el_type ("FEL"/"MEL"/null), rpus,
// cm_version (null without RPUs), profile8_compatibility (8.x only), scene_cuts,
// l1 {frames, min_pq, max_pq, avg_pq: {min, max, mean}} (null without L1), and for Matroska
// inputs video {codec, width, height, frame_rate, dovi_configuration {...} or null}, frames
// (video frames) and frames_without_rpu / frames_with_several_rpus, each {count, first: [the
// first kInfoFramesListed frame numbers, display order]}; "rpus" then counts every RPU NAL.
nlohmann::json InfoJson(const InfoReport& report);
// The same facts as aligned "key: value" lines, newline-terminated.
std::string InfoText(const InfoReport& report);

}  // namespace mkvfleet::ctl
