// The repair rule for titles whose Dolby Vision RPUs do not match their frames one to one (a
// known defect of real rips: a few frames without an RPU, now and then a frame with two). Pure:
// per-frame RPU payloads in display order in, one RPU per frame and what was changed out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::dovi {

// The RPU payloads one frame carries, in stream order: none, one, or (a defect) several.
using FrameRpus = std::vector<std::vector<uint8_t>>;

// One repaired frame (display index).
struct RpuRepairNote {
  enum class Kind {
    kMissing,    // the frame had no RPU: it got a copy of frame `copied_from`'s
    kDuplicate,  // the frame had `rpus` RPUs: the first was kept
  };
  Kind kind = Kind::kMissing;
  int64_t frame = 0;
  int64_t copied_from = -1;    // kMissing: the frame whose (repaired) RPU was copied
  bool scene_refresh = false;  // kMissing: the copy's scene_refresh_flag
  int rpus = 0;                // kDuplicate: how many RPUs the frame carried
  bool operator==(const RpuRepairNote&) const = default;
};

// "frame 5: no RPU, copy of frame 4's (scene_refresh_flag 0)" / "frame 10: 2 RPUs, kept the
// first"; for job logs.
std::string DescribeRepair(const RpuRepairNote& note);

struct RepairedRpus {
  std::vector<std::vector<uint8_t>> rpus;  // exactly one payload per frame, display order
  std::vector<RpuRepairNote> notes;        // every frame changed, in frame order
};

// The rule, over the frames of a title in display order:
//  - a frame with several RPUs keeps the first;
//  - a frame without an RPU gets a copy of the nearest RPU of its scene: the previous frame's
//    (itself possibly repaired), with scene_refresh_flag cleared (the copy continues a scene);
//    when no earlier frame has an RPU (the title starts without), the next frame's that has one,
//    with scene_refresh_flag set on the title's first frame (a title starts a scene) and cleared
//    on the frames after it. A scene cut that fell on a frame without an RPU cannot be seen in
//    the stream; that frame joins the previous scene.
// Frames that need nothing keep their payload byte for byte.
// Errors: FailedPrecondition when no frame has an RPU (nothing to copy); the parser's or
// writer's error, naming the frame, for a copied RPU that does not parse.
absl::StatusOr<RepairedRpus> RepairRpus(absl::Span<const FrameRpus> frames);

// `payload` with its scene_refresh_flag set to `scene_refresh` and its CRC recomputed (the same
// bytes when the flag already has that value). Errors: those of ParseRpu / WriteRpu;
// FailedPrecondition for an RPU without DM data (no flag to set).
absl::StatusOr<std::vector<uint8_t>> WithSceneRefresh(absl::Span<const uint8_t> payload,
                                                      bool scene_refresh);

}  // namespace mkvfleet::dovi
