// The steps that write and check the output: dv-convert's single-pass mux, and verify and
// publish shared by every plan.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "agent/media/publish.h"
#include "agent/media/step_support.h"

namespace mkvfleet::agent::media {

// Extra room asked for beyond the estimated output size before writing.
inline constexpr int64_t kFreeSpaceMargin = 64LL << 20;

// dv-convert's mux: source -> part file in the destination folder, EL dropped, RPUs converted to
// 8.1, DV record profile 8 / compatibility 1, every other track and the chapters copied.
std::unique_ptr<Step> MakeDvConvertMuxStep(SharedSettings settings, FreeSpaceFn free_space);
// A plan's own check of the built output `part`, run by verify after the shared rules passed. It
// may add facts to `result`. OK = passed; DataLoss = failed (the part file is removed, the job
// fails permanently); Cancelled/Unavailable/Internal pass through (retryable).
using VerifyExtraCheck =
    std::function<absl::Status(StepContext& ctx, const std::string& part, StepResult& result)>;

// Checks the built output against the probed source (verify_rules.h): ffprobe and mkvmerge -J
// read the headers, our RPU scan reads every video packet once (frames, RPUs, EL); then the
// plan's extra check from `extra_checks` (by plan name), if any. A failed check removes the part
// file and fails the job permanently.
std::unique_ptr<Step> MakeVerifyStep(SharedSettings settings,
                                     std::map<std::string, VerifyExtraCheck> extra_checks = {});
// Renames the verified part file to the destination (publish.h), then applies replace.
std::unique_ptr<Step> MakePublishStep(SharedSettings settings);

}  // namespace mkvfleet::agent::media
