// PREPARE of a chunked Dolby Vision re-encode, run by the dv-reencode encode step once
// DecideChunking (chunk_plan.h) said to chunk: cuts on the RPUs' scene starts, a frame index with
// the decoder the chunks use (constant frame rate, RPU count = frame count), then the job's chunk
// folder in the shared work dir (media::ChunkFolderFor), made fresh: rpu.bin (the whole converted
// RPU file), slice-NNNN.bin per chunk and manifest.json, each written under a temporary name,
// fsynced and renamed, the manifest last. Other agents then encode the chunks (the chunk runner),
// and the encode step assembles them (chunk_assemble.h).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "agent/encode/chunk_plan.h"
#include "agent/encode/encode_profile.h"
#include "agent/media/media_info.h"
#include "agent/media/media_settings.h"
#include "agent/media/publish.h"
#include "agent/pipeline.h"

namespace mkvfleet::agent::encode {

struct ChunkPrepareRequest {
  const media::MediaSettings* settings = nullptr;  // tools (ffprobe) and tool_timeout
  EncodeProfile profile;                           // fixes the chunks' x265 options
  media::FreeSpaceFn free_space;                   // of the shared work dir
  std::string rpu_path;                            // the rpu step's converted RPU file (local)
  ChunkingDecision decision;                       // REQUIRES: decision.chunk
};

// Prepares the chunks of ctx's job (see the file comment) in ChunkFolderFor(
// ctx.shared_work_dir(), job id) and returns the step's result: outcome kChunked, the chunk
// ranges, chunk_manifest = the manifest's local path, facts "chunks", "chunk_folder"
// (coordinator namespace) and bytes_written. Logs the plan (chunks, frames, which cuts fall on
// scene starts) to the job log.
//
// Returns nullopt (after logging why) when an auto-chunked job is better encoded whole after all:
// no plan can be made (the frame rate is unknown, an RPU does not parse) or it has a single
// chunk (short title), the shared work dir is missing or short of space (twice the source's
// size), the frame index disagrees with the RPU count, or the frame rate is variable.
// When the user forced chunks (decision.forced) these are errors instead: PlanChunkCuts' (e.g.
// InvalidArgument: too few frames for the count), FailedPrecondition for a variable frame rate or
// a frame count that differs from the RPU count (permanent), Unavailable for a missing shared
// work dir, ResourceExhausted for space.
// Other errors: Unavailable when the RPU file is gone; InvalidArgument when it is not an RPU file
// or the profile's x265 options cannot be used for chunks; Internal for tool and file errors, naming
// them; Cancelled.
absl::StatusOr<std::optional<StepResult>> PrepareChunkedEncode(StepContext& ctx,
                                                               const media::MediaInfo& info,
                                                               const ChunkPrepareRequest& request);

}  // namespace mkvfleet::agent::encode
