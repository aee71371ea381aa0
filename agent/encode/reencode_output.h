// What the two ways of building a re-encode's output share: the part file beside the
// destination (checked, free space asked for, leftovers removed), the remux of an encoded video
// stream with every other track of the source, and the checkpoint that verify and publish read.
// The streamed encode step (x265's stdout straight into the remuxer) and the checkpointed mux
// step (x265's file from the work dir) both call these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "agent/encode/encoded_video_input.h"
#include "agent/media/media_info.h"
#include "agent/media/output_steps.h"
#include "common/libav/remuxer.h"

namespace mkvfleet::agent::encode {

// The part file to build, ready to be written.
struct OutputTarget {
  std::string destination;
  std::string part;    // media::PartPathFor(destination, job)
  std::string folder;  // the destination's folder
};

// Checks that the destination may be written (publish policy), creates its folder, removes an
// earlier attempt's part file, logs the free space and fails (ResourceExhausted, naming the
// folder and the numbers) when less than `needed` bytes are free.
absl::StatusOr<OutputTarget> PrepareOutput(const StepContext& ctx,
                                           const media::MediaSettings& settings,
                                           const media::FreeSpaceFn& free_space, int64_t needed);

// The output's Dolby Vision record (profile 8, BL compatibility 1, no EL, the source's level),
// or nullopt without Dolby Vision.
std::optional<dovi::DoviConfigRecord> OutputDoviRecord(const media::MediaInfo& source,
                                                      bool dolby_vision);

// Remuxes `video` with the source's other tracks into target.part. Errors: the remux's; its
// input errors (bad stream, broken timestamps, frame count) as DataLoss (permanent).
absl::StatusOr<libav::RemuxStats> MuxEncodedVideo(StepContext& ctx, const OutputTarget& target,
                                                  EncodedVideoInput& video,
                                                  const media::MediaInfo& source,
                                                  bool dolby_vision,
                                                  const std::function<void(int64_t)>& on_packet);

// Records the part file as artifact media::kArtifactOutput with the facts verify and publish
// read (media/step_support.h).
void RecordOutput(const StepContext& ctx, const std::string& part,
                  const libav::RemuxStats& stats, Checkpoint& checkpoint);

}  // namespace mkvfleet::agent::encode
