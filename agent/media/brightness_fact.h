// The title's Dolby Vision brightness for the dashboard's plot, computed by the probe from the
// RPUs it already reads for the RPU census: every frame's L1 max and average and scene starts,
// folded into plot::kBrightnessFactBuckets and encoded as the probe's plot::kBrightnessFact.
#pragma once

#include <string>

#include "common/dvstream/frame_rpus.h"

namespace mkvfleet::agent::media {

// The encoded series (plot::EncodeBrightness) of `table`, in display order. A frame without an
// RPU, or whose first RPU does not parse or has no L1, counts as 0 / no scene start: the plot
// is a picture, never a reason to fail a job.
std::string BrightnessFact(const dvstream::FrameRpuTable& table);

}  // namespace mkvfleet::agent::media
