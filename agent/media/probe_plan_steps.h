// The first two steps every plan shares: probe (MediaInfo of the source, stored as a fact) and
// plan (the policy decision; skips end the job here with their reason).
#pragma once

#include <memory>

#include "agent/media/step_support.h"

namespace mkvfleet::agent::media {

std::unique_ptr<Step> MakeProbeStep(SharedSettings settings);
std::unique_ptr<Step> MakePlanStep(SharedSettings settings);

}  // namespace mkvfleet::agent::media
