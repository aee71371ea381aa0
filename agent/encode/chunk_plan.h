// The pure decisions of a chunked Dolby Vision re-encode (CHUNK_DESIGN.md): whether the encode
// step chunks at all, where the cuts go (on the RPUs' scene starts), and the manifest that fixes
// every chunk's input, RPU slice and x265 options so that chunks from different agents join.
// The encode step's prepare (chunk_prepare.h) runs the tools and writes the files around these.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "agent/encode/encode_profile.h"
#include "agent/media/media_info.h"
#include "agent/task.h"
#include "common/chunk/cut_plan.h"
#include "common/chunk/manifest.h"

namespace mkvfleet::agent::encode {

// File names inside a chunked job's folder (media::ChunkFolderFor).
inline constexpr char kChunkManifestName[] = "manifest.json";
inline constexpr char kChunkRpuFileName[] = "rpu.bin";
inline constexpr char kJoinedStreamName[] = "joined.hevc";
// "slice-0003.bin" and "chunk-0003.hevc" for chunk 3.
std::string ChunkSliceName(int index);
std::string ChunkOutputName(int index);

// Whether the encode step chunks, and how.
struct ChunkingDecision {
  bool chunk = false;
  bool forced = false;     // the user asked for exactly N chunks (--chunks N)
  chunk::CutRequest cuts;  // when chunk
  std::string reason;      // for the job log, e.g. "auto: 3 agents, title 7200 s > 600 s"
};

// The rule: chunk when the agent has a shared work dir AND (request.chunks >= 2, or
// request.chunks == 0 and request.agents >= 2 and the title is longer than
// request.min_seconds). Forced: CutRequest::Forced(chunks); auto: agents, chunks_per_agent and
// the chunk length limits of the request. `title_seconds` <= 0 (unknown) never auto-chunks.
ChunkingDecision DecideChunking(const ChunkingRequest& request, bool has_shared_work_dir,
                                double title_seconds);

// The title's length for the decision: frame_count / fps when both are known, else the
// container duration (0 when neither is).
double TitleSeconds(const media::MediaInfo& info);

// The cuts of a title whose converted RPU file (one RPU per frame, display order) is `rpus`.
struct CutPlan {
  std::vector<int64_t> scene_starts;  // chunk::SceneStartsFromRpus
  std::vector<chunk::ChunkRange> ranges;
  int64_t fps_num = 0;  // the title's rate, reduced
  int64_t fps_den = 0;
};

// chunk::PlanCuts over chunk::SceneStartsFromRpus(rpus) at the probed frame rate.
// Errors: FailedPrecondition when the frame rate is unknown; SceneStartsFromRpus' and PlanCuts'
// InvalidArgument (e.g. too few frames for the forced count).
absl::StatusOr<CutPlan> PlanChunkCuts(absl::Span<const absl::Span<const uint8_t>> rpus,
                                      const media::MediaInfo& info,
                                      const chunk::CutRequest& request);

// A manifest with its RPU files, ready to be written.
struct PreparedManifest {
  chunk::ChunkManifest manifest;
  std::vector<std::vector<uint8_t>> slices;  // slice i = RPU file of chunk i's frames
};

// The manifest of `plan`: source_path (coordinator namespace), frame count = RPU count, the
// rate, rpu.bin with its hash, the decoder arguments a whole-file encode uses after `-i SOURCE`
// (DecoderGlobalArgs + DecoderOutputArgs), X265CommonArgs and ChooseVbv of `profile` for a
// Dolby Vision encode of `info`, and per chunk its range, slice name and hash and output name.
// `rpu_file` is the whole converted RPU file and `rpus` its payloads.
// Errors: X265CommonArgs', SliceRpus', Sha256Hex's, and ValidateManifest's InvalidArgument
// (e.g. the profile's extra arguments set an option the chunks set themselves, like --frames).
absl::StatusOr<PreparedManifest> BuildChunkManifest(
    const std::string& source_path, const media::MediaInfo& info, const EncodeProfile& profile,
    const CutPlan& plan, absl::Span<const uint8_t> rpu_file,
    absl::Span<const absl::Span<const uint8_t>> rpus);

// One line per chunk for the job log: "chunk 1: frames [24, 48) (24), starts on a scene start".
std::vector<std::string> DescribePlan(const CutPlan& plan);

}  // namespace mkvfleet::agent::encode
