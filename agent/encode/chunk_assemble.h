// ASSEMBLE of a chunked Dolby Vision re-encode, run by the dv-reencode encode step when the job
// comes back with every chunk done (Task::chunks): each chunk file is checked against what its
// chunk task recorded (size, SHA-256), the chunks are joined in manifest order into joined.hevc in
// the job's chunk folder, and the join is checked once more as a whole (chunk::CheckJoined: frame
// count, an IDR at every cut, the display-ordered RPUs equal to the whole converted RPU file, a
// VBV simulation). The result is recorded like checkpoint_encoded_video's encoded stream, so the
// mux step muxes it with the source's other tracks on the source's timestamps.
// One read of every chunk: the bytes are hashed, written to the join and analysed as they pass.
#pragma once

#include "absl/status/statusor.h"
#include "agent/media/publish.h"
#include "agent/pipeline.h"

namespace mkvfleet::agent::encode {

// Assembles ctx.task()'s chunks (see the file comment). REQUIRES: ctx.task().chunks non-empty.
// On success the result (outcome kContinue) has artifact kArtifactEncoded = the joined stream
// (kShared, coordinator namespace, size) and facts kFactEncodedFrames, kFactPixFmt,
// bytes_written and "chunks".
// Errors:
//   Unavailable (retryable) when a chunk is not done, the manifest cannot be read here, or chunk
//     files are missing, of another size or another SHA-256 than recorded: those chunks are
//     attached with WithRedoChunks (pipeline.h) so the coordinator has them encoded again;
//   Internal when the chunk records do not match the manifest, for I/O errors;
//   ResourceExhausted when the chunk folder lacks the space for the join;
//   InvalidArgument for a manifest that does not parse;
//   DataLoss (permanent) when rpu.bin differs from the manifest's hash or the joined stream fails
//     chunk::CheckJoined (joined.hevc is removed);
//   Cancelled.
absl::StatusOr<StepResult> AssembleChunks(StepContext& ctx, const media::FreeSpaceFn& free_space);

}  // namespace mkvfleet::agent::encode
