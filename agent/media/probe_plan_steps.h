// The first two steps every plan shares: probe (MediaInfo of the source, stored as a fact) and
// plan (the policy decision; skips end the job here with their reason). With copy_source the probe
// first copies the source into the work dir and routes the later readers to the copy; the plan
// declares what each later step will write where, for the runner's free-space checks
// (step_runner.h: "source.<step>" and "disk.<step>" facts).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "agent/media/rpu_scan.h"
#include "agent/media/step_support.h"

namespace mkvfleet::agent::media {

std::unique_ptr<Step> MakeProbeStep(SharedSettings settings);
// `free_space` is used for copy_source's check of the work dir (tests fake a full disk).
std::unique_ptr<Step> MakeProbeStep(SharedSettings settings, FreeSpaceFn free_space);

// The RPUs that the steps writing RPUs (dv-convert's mux, dv-reencode's rpu) give the source's
// packets without one, when the probe decided to repair frames without an RPU (its
// kFactRpusRepaired fact); empty otherwise (frames with several RPUs need no patch: the packet
// rewriter keeps their first). Reads the source's RPUs again (one pass) and logs the count. Errors:
// those of ReadFrameRpus and PlanRpuRepair; DataLoss when the source no longer needs the repairs
// the probe found (it changed).
absl::StatusOr<RpuPatches> RpuRepairsFor(StepContext& ctx);

// The "disk.<step>" facts of `plan` (step -> "<bytes>" for the work dir, or "<bytes> <folder>"),
// estimated from the probed source: rpu into the work dir; encode and mux about the source's size
// beside `destination`; publish nothing new, unless replace copies the source to a backup folder
// on another filesystem.
std::map<std::string, std::string> DiskNeedsFor(const std::string& plan, const MediaInfo& source,
                                                const std::string& destination,
                                                const std::string& source_path,
                                                const PublishPolicy& publish);
std::unique_ptr<Step> MakePlanStep(SharedSettings settings);

}  // namespace mkvfleet::agent::media
