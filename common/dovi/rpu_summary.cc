// Running aggregation of RPU properties for `dovi info`.
#include "common/dovi/rpu_summary.h"

#include <algorithm>

#include "common/dovi/rpu_profile.h"

namespace mkvfleet::dovi {
namespace {

void AddValue(PqStats& s, uint16_t v, bool first) {
  s.min = first ? v : std::min(s.min, v);
  s.max = first ? v : std::max(s.max, v);
}

}  // namespace

void RpuSummaryBuilder::Add(const Rpu& rpu) {
  if (summary_.rpu_count++ == 0) {
    summary_.profile = DetectProfile(rpu.header);
    summary_.profile8_compatibility = DetectProfile8Compatibility(rpu);
  }
  const ElType el = DetectElType(rpu);
  any_fel_ |= el == ElType::kFel;
  any_mel_ |= el == ElType::kMel;
  if (!rpu.vdr_dm_data) return;
  const VdrDmData& dm = *rpu.vdr_dm_data;
  any_cmv40_ |= dm.cmv40.has_value();
  if (dm.scene_refresh_flag != 0) ++summary_.scene_cuts;
  if (const DmLevel1* l1 = dm.level1()) {
    const bool first = summary_.l1_count++ == 0;
    AddValue(summary_.l1_max_pq, l1->max_pq, first);
    AddValue(summary_.l1_avg_pq, l1->avg_pq, first);
    sum_max_pq_ += l1->max_pq;
    sum_avg_pq_ += l1->avg_pq;
  }
}

RpuSummary RpuSummaryBuilder::Summary() const {
  RpuSummary s = summary_;
  if (s.rpu_count == 0) return s;
  s.el_type = any_fel_ ? "FEL" : any_mel_ ? "MEL" : "";
  s.cm_version = any_cmv40_ ? "4.0" : "2.9";
  if (s.l1_count > 0) {
    s.l1_max_pq.mean = static_cast<double>(sum_max_pq_) / static_cast<double>(s.l1_count);
    s.l1_avg_pq.mean = static_cast<double>(sum_avg_pq_) / static_cast<double>(s.l1_count);
  }
  return s;
}

}  // namespace mkvfleet::dovi
