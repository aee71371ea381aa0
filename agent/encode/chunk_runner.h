// The chunk runner: what an agent runs for a chunk task (Task::chunk set) of a chunked Dolby
// Vision re-encode, instead of the pipeline (CHUNK_DESIGN.md, flow 4). It reads the job's manifest
// from the shared work dir, checks the chunk's RPU slice against it, runs
// `ffmpeg | x265` with the manifest's fixed command lines into "<output>.<agent>.part" beside the
// manifest, under the tool timeout and a stall watchdog, reads the result back (frame count, IDR
// start, one RPU per frame equal to the slice in display order, parameter sets equal to the
// chunks accepted so far), makes it durable and renames it into place. The step runner reports
// it as the job's "encode" step under the chunk task's lease (step_runner.h RunChunkTask).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/pipeline.h"

namespace mkvfleet::config {
class ConfigLayers;
}

namespace mkvfleet::agent::encode {

// The checkpoint of an accepted chunk: artifact kArtifactChunk (kShared, coordinator namespace,
// size set) and these facts.
inline constexpr char kArtifactChunk[] = "chunk";
inline constexpr char kFactChunkSha256[] = "sha256";  // of the chunk file
inline constexpr char kFactChunkParameterSetsSha256[] = "parameter_sets_sha256";
inline constexpr char kFactChunkFrames[] = "frames";
inline constexpr char kFactChunkBytes[] = "bytes";

// Test hooks, read from the environment at the start of every chunk:
//   MKVFLEET_TEST_CHUNK_RPU_SHIFT=<index>  chunk <index>, on its first attempt only (its record in
//       Task::chunks has attempts <= 1; without a record, the first time this process runs it),
//       gets the RPUs of its range shifted by one frame (chunk_inputs.h WriteShiftedSlice), so
//       its check fails and the retry succeeds.
//   MKVFLEET_TEST_CHUNK_PAUSE_MS=<ms>  every chunk waits that long after x265 started before it
//       reports (cancellable), so a test can kill an agent inside a chunk.
inline constexpr char kEnvChunkRpuShift[] = "MKVFLEET_TEST_CHUNK_RPU_SHIFT";
inline constexpr char kEnvChunkPauseMs[] = "MKVFLEET_TEST_CHUNK_PAUSE_MS";

struct ChunkRunnerSettings {
  std::string ffmpeg = "ffmpeg";  // program paths (or bare names for a PATH search)
  std::string x265 = "x265";
  absl::Duration tool_timeout = absl::Hours(4);  // for each tool run
  // The tools are killed when x265 reports no progress for this long (x265 can hang at 100% CPU).
  absl::Duration stall_timeout = absl::Seconds(600);
};

// Tool paths ([tools]) and tool_timeout_minutes ([media]) from the agent's config, as the media
// pipeline reads them; defaults when `layers` is null. Errors: media::LoadMediaSettings'.
absl::StatusOr<ChunkRunnerSettings> ChunkRunnerSettingsFromConfig(
    const config::ConfigLayers* layers, absl::Duration stall_timeout);

// Encodes and checks the chunk ctx.task().chunk names (see the file comment). Progress (frames of
// the chunk) goes to ctx.ReportProgress; tool command lines and results to ctx.Log.
// On success "<folder>/<output>" exists and the result (outcome kContinue) carries the
// checkpoint described above. Errors name the chunk and the file; the part file is removed:
//   permanent: InvalidArgument (no assignment, bad manifest, range mismatch), DataLoss (RPU slice
//     missing or its hash differs from the manifest's);
//   retryable: Unavailable (manifest or source not reachable here; no x265 progress for
//     stall_timeout), Internal (a tool failed or timed out, x265 warned about RPUs, the output
//     failed its check or its parameter sets differ from the assignment's hash, I/O);
//   Cancelled when ctx is cancelled.
absl::StatusOr<StepResult> RunChunk(StepContext& ctx, const ChunkRunnerSettings& settings);

// RunChunk as a Step named "encode" (the step whose work the chunks are).
std::unique_ptr<Step> MakeChunkStep(ChunkRunnerSettings settings);

}  // namespace mkvfleet::agent::encode
