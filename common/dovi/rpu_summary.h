// What `mkvctl dovi info` prints about a stream's RPUs: profile, EL type, CM version, L1
// brightness statistics and scene cuts, aggregated over many RPUs. Plain data, no formatting.
#pragma once

#include <cstdint>
#include <string>

#include "common/dovi/rpu.h"

namespace mkvfleet::dovi {

// Minimum, maximum and mean of one L1 value (12-bit PQ code) over the frames that carry L1.
struct PqStats {
  uint16_t min = 0;
  uint16_t max = 0;
  double mean = 0;
};

// The summary of a sequence of RPUs.
struct RpuSummary {
  int profile = 0;                 // of the first RPU: 4, 5, 7, 8 (0 unknown or no RPU)
  int profile8_compatibility = 0;  // 1 or 4 when profile == 8 (see DetectProfile8Compatibility)
  std::string el_type;             // "FEL" if any RPU is FEL, else "MEL" if any is MEL, else ""
  uint64_t rpu_count = 0;
  std::string cm_version;  // "4.0" if any RPU has CM v4.0 blocks, "2.9" otherwise
  uint64_t l1_count = 0;   // RPUs with a level 1 block; the stats are over these
  PqStats l1_max_pq;
  PqStats l1_avg_pq;
  uint64_t scene_cuts = 0;  // RPUs with scene_refresh_flag set
};

// Accumulates RPUs one at a time (a stream is never held in memory). Not thread-safe.
class RpuSummaryBuilder {
 public:
  void Add(const Rpu& rpu);
  // The summary of everything added so far (all zero/empty when nothing was added).
  RpuSummary Summary() const;

 private:
  RpuSummary summary_;
  bool any_fel_ = false;
  bool any_mel_ = false;
  bool any_cmv40_ = false;
  uint64_t sum_max_pq_ = 0;
  uint64_t sum_avg_pq_ = 0;
};

}  // namespace mkvfleet::dovi
