// The per-frame RPU file of a Dolby Vision sample: the kind's real RPU repeated once per frame,
// each copy with its own level 1 (min/max/avg PQ) values and a recomputed CRC, so tools that
// summarize L1 see a changing picture and every RPU is still valid, and scene_refresh_flag set
// exactly on the frames that start a scene.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dovi/dm_ext_blocks.h"
#include "common/samplegen/sample_spec.h"

namespace mkvfleet::samplegen {

// The L1 values given to frame `frame` (deterministic; 12-bit PQ, min <= avg <= max).
dovi::DmLevel1 SampleLevel1(int frame);

// An RPU file (00 00 00 01 + payload per RPU) with `frames` RPUs for `kind` in display order,
// every RPU distinct. Frame 0 and, when scene_every > 0, every scene_every-th frame after it
// start a scene (scene_refresh_flag 1); the others have scene_refresh_flag 0
// (SampleSpec::IsSceneStart). Errors: InvalidArgument for a kind without Dolby Vision or a
// negative scene_every, or if the template fails to parse or write (a build defect).
absl::StatusOr<std::vector<uint8_t>> BuildSampleRpuFile(SampleKind kind, int frames,
                                                        int scene_every = 0);

}  // namespace mkvfleet::samplegen
