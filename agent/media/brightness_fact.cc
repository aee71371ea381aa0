// L1 of every frame's first RPU, folded for the plot (see the header).
#include "agent/media/brightness_fact.h"

#include <vector>

#include "common/dovi/rpu.h"
#include "common/plot/brightness_series.h"

namespace mkvfleet::agent::media {

std::string BrightnessFact(const dvstream::FrameRpuTable& table) {
  std::vector<plot::FrameBrightness> frames(table.frames.size());
  for (size_t i = 0; i < table.frames.size(); ++i) {
    if (table.frames[i].empty()) continue;
    const absl::StatusOr<dovi::Rpu> rpu = dovi::ParseRpu(table.frames[i].front());
    if (!rpu.ok() || !rpu->vdr_dm_data) continue;
    if (const dovi::DmLevel1* l1 = rpu->vdr_dm_data->level1(); l1 != nullptr) {
      frames[i].max_pq = l1->max_pq;
      frames[i].avg_pq = l1->avg_pq;
    }
    frames[i].scene_start = rpu->vdr_dm_data->scene_refresh_flag != 0;
  }
  return plot::EncodeBrightness(plot::FoldBrightness(frames, plot::kBrightnessFactBuckets));
}

}  // namespace mkvfleet::agent::media
