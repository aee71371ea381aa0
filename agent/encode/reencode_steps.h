// The steps of the re-encode plans, plugged into the media pipeline as PlanSteps
// (media_pipeline.h):
//   dv-reencode: rpu (extract + convert every RPU to 8.1 in one streaming pass) -> encode (ffmpeg |
//                x265 with the RPUs | remux: x265's stream on the source's timestamps, every
//                other track copied, DV record profile 8 / compatibility 1) -> mux (nothing left
//                to do; says so) -> verify (shared rules, then the sampled SSIM)
//   standard:    the same without RPUs and DV record.
// With checkpoint_encoded_video, encode writes x265's stream to the work dir (artifact
// "encoded_bl") and mux does the remux, so a crash during the mux does not redo the encode, at
// the price of one more full-size write.
// Chunked dv-reencode (CHUNK_DESIGN.md): when the coordinator's ChunkingRequest and the agent's
// shared work dir allow it (chunk_plan.h DecideChunking), encode prepares chunks in the shared
// work dir and ends the task (outcome kChunked; chunk_prepare.h); other agents encode them; when
// the job comes back with Task::chunks all done, encode assembles them into a shared
// "encoded_bl" (chunk_assemble.h), which mux muxes as it muxes checkpoint_encoded_video's.
// Checkpoints: rpu records artifact "rpu" and fact "rpu_count"; encode records facts "frames",
// "pix_fmt" and either the output (what media/step_support.h asks of a mux) or "encoded_bl";
// mux records the output; verify records "ssim".
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/encode/encode_profile.h"
#include "agent/encode/ssim_check.h"
#include "agent/media/media_pipeline.h"
#include "agent/media/publish.h"
#include "agent/media/step_support.h"

namespace mkvfleet::agent::encode {

inline constexpr char kArtifactRpu[] = "rpu";
inline constexpr char kFactRpuCount[] = "rpu_count";
inline constexpr char kArtifactEncoded[] = "encoded_bl";
inline constexpr char kFactEncodedFrames[] = "frames";
inline constexpr char kFactPixFmt[] = "pix_fmt";
inline constexpr char kFactSsim[] = "ssim";

// What the re-encode steps need beyond MediaSettings.
struct ReencodeOptions {
  EncodeProfile profile;
  SsimSampling ssim;
  bool check_ssim = true;
  bool checkpoint_encoded_video = false;  // MediaSettings::checkpoint_encoded_video
  media::FreeSpaceFn free_space;  // null = the real one
};

// rpu for dv-reencode: the source's RPUs converted to 8.1 (mode 2) in display order, one per
// frame, into the work dir. Fails permanently (DataLoss) when a frame has no RPU or the count
// differs from the probed frame count.
std::unique_ptr<Step> MakeRpuStep(media::SharedSettings settings);
// encode: ffmpeg | x265 | remux into the part file beside the destination (or x265 into the
// work dir with checkpoint_encoded_video); with `dolby_vision` x265 carries the rpu step's RPUs,
// and the encode may be chunked (prepare, later assemble: see above).
std::unique_ptr<Step> MakeEncodeStep(media::SharedSettings settings, ReencodeOptions options,
                                     bool dolby_vision);
// mux: hands on the encode step's output, or muxes its "encoded_bl" (checkpoint_encoded_video's
// encoded.hevc in the work dir, or a chunked encode's joined stream in the shared work dir, whose
// coordinator-namespace path it translates) into the part file beside the destination.
std::unique_ptr<Step> MakeReencodeMuxStep(media::SharedSettings settings, ReencodeOptions options,
                                          bool dolby_vision);

// PlanSteps for "dv-reencode" and "standard".
std::map<std::string, media::PlanSteps> MakeReencodePlans(media::SharedSettings settings,
                                                          const ReencodeOptions& options);

// The same with the profile settings.x265_profile names (parsed with the [media] settings).
// Errors: InvalidArgument for a profile name that is not in settings.x265_profiles.
absl::StatusOr<std::map<std::string, media::PlanSteps>> MakeReencodePlansFromSettings(
    const media::MediaSettings& settings);

}  // namespace mkvfleet::agent::encode
