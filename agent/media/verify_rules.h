// The rules an output must pass before it is published, as pure functions over facts gathered
// by independent tools (ffprobe, mkvmerge -J on the output) and by our own RPU scan. The verify
// step gathers; these functions judge.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/media/media_info.h"

namespace mkvfleet::agent::media {

// What our own scan of every video packet of the output found (rpu_scan.h).
struct RpuScanTotals {
  int64_t packets = 0;              // video packets (= frames)
  int64_t packets_with_rpu = 0;
  int64_t packets_with_el = 0;      // packets still carrying EL NAL units (type 63)
  int64_t rpus_not_profile8 = 0;    // RPUs whose header does not describe profile 8
  int first_rpu_profile = 0;
  int64_t packets_with_several_rpus = 0;  // packets carrying more than one RPU NAL
  bool operator==(const RpuScanTotals&) const = default;
};

// What the output must be, beyond "the same as the source".
struct VerifyTarget {
  int64_t source_frames = 0;  // exact count of source video frames (counted while muxing)
  bool dolby_vision_81 = true;  // expect DV profile 8 / BL compatibility 1 / no EL
  bool same_video_size = true;  // dv-convert keeps the picture; a re-encode may crop or scale
};

// One named rule and how it went.
struct CheckResult {
  std::string name;    // "frame_count", "rpu_per_frame", "dovi_config", ...
  bool passed = false;
  std::string detail;  // what was expected and what was found
};

// Applies every rule. `source` is the probed source; `output` the same facts of the output file.
std::vector<CheckResult> CheckOutput(const MediaInfo& source, const MediaInfo& output,
                                     const RpuScanTotals& scan, const VerifyTarget& target);

// OK when every check passed; else DataLoss (permanent) naming `file` and each failed check.
absl::Status Verdict(const std::vector<CheckResult>& checks, const std::string& file);

}  // namespace mkvfleet::agent::media
