// Where a chunked re-encode cuts the title: chunk ranges on Dolby Vision scene starts, so every
// chunk's forced IDR lands where the encoder would put a keyframe anyway (no quality "pulse", no
// extra bits; chunking.md §1 and §5). Pure: frame numbers in, ranges out.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::chunk {

// One chunk: frames [first_frame, first_frame + frames) of the source, in display order.
struct ChunkRange {
  int index = 0;
  int64_t first_frame = 0;
  int64_t frames = 0;
  // False when no usable scene start was near the ideal boundary and the cut falls mid-scene.
  bool starts_on_scene_cut = true;

  bool operator==(const ChunkRange&) const = default;
};

// How many chunks to make.
struct CutRequest {
  // >= 2: exactly this many chunks (mkvctl --chunks N). 0: auto, from the fields below.
  int forced_chunks = 0;
  // Auto aims at agents * chunks_per_agent chunks (several per agent, so the slowest chunk
  // does not hold the whole job), then bounds the chunk length:
  int agents = 1;
  int chunks_per_agent = 3;
  // No chunk shorter than this (wins over max): short titles get fewer chunks, possibly 1.
  double min_chunk_seconds = 60;
  // No chunk longer than this where the title allows it (more chunks then).
  double max_chunk_seconds = 600;

  static CutRequest Forced(int chunks) {
    CutRequest r;
    r.forced_chunks = chunks;
    return r;
  }
  static CutRequest Auto(int agents) {
    CutRequest r;
    r.agents = agents;
    return r;
  }
};

// Splits frames [0, frame_count) of a title at fps_num/fps_den frames per second into
// contiguous chunks (index 0, 1, ... in order; together they cover every frame exactly once).
//
// `scene_starts`: sorted, distinct frame indices in [0, frame_count) where a scene begins
// (SceneStartsFromRpus); frame 0 is a start whether listed or not.
//
// Cut i (1 <= i < N) has the ideal frame i * s, with s = frame_count / N the even share. A scene
// start is usable for it when it lies within s/2 of the ideal frame, the chunk it ends has
// between s/2 and 3s/2 frames, and every chunk stays within the length limits (forced: at least
// 2 frames; auto: also the min/max seconds). The usable scene start nearest the ideal frame is
// taken (the earlier one on a tie). With none usable, the cut falls on the ideal frame (kept
// within the limits) and the chunk after it has starts_on_scene_cut = false. Ideal frames are
// anchored to the title, so deviations never add up, and no chunk, the last included, is shorter
// than s/2 (no tiny last chunk).
//
// Auto: N = agents * chunks_per_agent, raised until s is at most 90% of max_chunk_seconds and
// then to a multiple of agents (whole rounds: nobody idles in the last one), then lowered until
// s is at least 110% of min_chunk_seconds (at least 1 chunk); the 10% margins
// leave the cuts room to reach a scene start within the limits. agents == 1 is planned like any
// other count: whether to chunk at all is the caller's policy. Deterministic: equal inputs give
// equal plans.
//
// Errors (InvalidArgument, naming the values): frame_count < 1; fps_num or fps_den < 1;
// scene_starts unsorted, repeated or outside [0, frame_count); forced_chunks of 1 or negative;
// frame_count < 2 * forced_chunks ("4 chunks need at least 8 frames (2 per chunk); the title has
// 7"); auto with agents or chunks_per_agent < 1, min_chunk_seconds <= 0 or
// max_chunk_seconds < min_chunk_seconds.
absl::StatusOr<std::vector<ChunkRange>> PlanCuts(int64_t frame_count, int64_t fps_num,
                                                 int64_t fps_den,
                                                 absl::Span<const int64_t> scene_starts,
                                                 const CutRequest& request);

// The frames whose RPU has scene_refresh_flag set, ascending, from one RPU payload per frame in
// display order (RPU file payloads: escaped, starting with 0x19). Frame 0 is always included
// (when there is at least one RPU); RPUs without DM data start no scene.
// Errors: InvalidArgument naming the frame index and the parser's reason when an RPU does not
// parse ("RPU of frame 12 does not parse: ...").
absl::StatusOr<std::vector<int64_t>> SceneStartsFromRpus(
    absl::Span<const absl::Span<const uint8_t>> payloads);

}  // namespace mkvfleet::chunk
