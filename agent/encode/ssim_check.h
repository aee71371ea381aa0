// The sampled SSIM check of a re-encode against its source: ffmpeg's ssim filter over a few
// short segments spread over the film (the whole film when it is short), so the check costs a
// small fraction of the encode. The pure parts are in ssim_parse.h.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/encode/ssim_parse.h"
#include "agent/media/output_steps.h"
#include "agent/pipeline.h"

namespace mkvfleet::agent::encode {

// Runs the segments one after the other and returns the mean SSIM. Each command's argv, result
// and duration go to ctx.Log; stops on ctx's cancel flag. Errors: Cancelled; Internal naming the
// segment and ffmpeg's last lines when ffmpeg fails; those of ParseSsimAll.
absl::StatusOr<double> MeasureSsim(const std::string& ffmpeg, const std::string& source,
                                   const std::string& output, double duration_s,
                                   const std::string& pix_fmt, const SsimSampling& sampling,
                                   absl::Duration timeout, const StepContext& ctx);

// The verify step's extra check for the re-encode plans: MeasureSsim of the built output against
// the source (pix_fmt from the encode step's checkpoint) with ffmpeg from `settings`; below
// settings->ssim_floor -> DataLoss naming both numbers and what to change. Records fact "ssim".
media::VerifyExtraCheck MakeSsimCheck(media::SharedSettings settings, SsimSampling sampling);

}  // namespace mkvfleet::agent::encode
