// Chunk cut planning: the chunk count, then one cut after the other on the nearest usable scene
// start (see cut_plan.h for the rules).
#include "common/chunk/cut_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/dovi/rpu.h"
#include "common/status/status_macros.h"

namespace mkvfleet::chunk {
namespace {

// Every chunk of a forced plan has at least this many frames.
constexpr int64_t kMinChunkFrames = 2;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// How many chunks and how long each may be, in frames (max_len 0 = no upper limit).
struct ChunkShape {
  int64_t count = 1;
  int64_t min_len = kMinChunkFrames;
  int64_t max_len = 0;
};

absl::Status ValidateSceneStarts(int64_t frame_count, absl::Span<const int64_t> starts) {
  for (size_t i = 0; i < starts.size(); ++i) {
    if (starts[i] < 0 || starts[i] >= frame_count) {
      return absl::InvalidArgumentError(absl::StrCat(
          "scene start ", starts[i], " is outside the title's frames [0, ", frame_count, ")"));
    }
    if (i > 0 && starts[i] <= starts[i - 1]) {
      return absl::InvalidArgumentError(absl::StrCat("scene starts must be sorted and distinct: ",
                                                     starts[i - 1], " is followed by ", starts[i]));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ChunkShape> ForcedShape(int64_t frame_count, int chunks) {
  if (chunks < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("a forced chunk count must be at least 2, got ", chunks));
  }
  if (frame_count < kMinChunkFrames * chunks) {
    return absl::InvalidArgumentError(
        absl::StrCat(chunks, " chunks need at least ", kMinChunkFrames * chunks, " frames (",
                     kMinChunkFrames, " per chunk); the title has ", frame_count));
  }
  return ChunkShape{chunks, kMinChunkFrames, 0};
}

absl::StatusOr<ChunkShape> AutoShape(int64_t frame_count, int64_t fps_num, int64_t fps_den,
                                     const CutRequest& req) {
  if (req.agents < 1 || req.chunks_per_agent < 1) {
    return absl::InvalidArgumentError(absl::StrCat("auto chunking needs agents >= 1 and ",
                                                   "chunks_per_agent >= 1, got ", req.agents,
                                                   " and ", req.chunks_per_agent));
  }
  if (!(req.min_chunk_seconds > 0) || !(req.max_chunk_seconds >= req.min_chunk_seconds)) {
    return absl::InvalidArgumentError(
        absl::StrCat("auto chunking needs 0 < min_chunk_seconds <= max_chunk_seconds, got ",
                     req.min_chunk_seconds, " and ", req.max_chunk_seconds));
  }
  const double fps = static_cast<double>(fps_num) / static_cast<double>(fps_den);
  ChunkShape shape;
  shape.min_len = std::max<int64_t>(kMinChunkFrames,
                                    static_cast<int64_t>(std::ceil(req.min_chunk_seconds * fps)));
  const int64_t max_len = std::max<int64_t>(
      shape.min_len, static_cast<int64_t>(std::floor(req.max_chunk_seconds * fps)));
  // The count keeps the even share 10% inside both limits, so that cuts have room to move to a
  // scene start without breaking a limit.
  const int64_t roomy_max = std::max<int64_t>(1, max_len * 9 / 10);
  const int64_t roomy_min = (shape.min_len * 11 + 9) / 10;
  int64_t count = int64_t{req.agents} * req.chunks_per_agent;
  count = std::max(count, CeilDiv(frame_count, roomy_max));
  // Whole rounds: a multiple of the agents leaves none of them idle in the last round.
  count = CeilDiv(count, req.agents) * req.agents;
  count = std::max<int64_t>(1, std::min(count, frame_count / roomy_min));
  shape.count = count;
  // When the minimum won over the maximum, chunks are necessarily longer than the maximum.
  shape.max_len = count * max_len >= frame_count ? max_len : 0;
  return shape;
}

// Cut i (1 <= i < count) after the chunk that starts at `prev`. Returns its frame.
int64_t ChooseCut(int64_t frame_count, int64_t prev, int64_t i, const ChunkShape& shape,
                  absl::Span<const int64_t> starts) {
  const int64_t n = shape.count;
  const int64_t after = n - i;  // chunks after this cut
  // Length limits for this chunk and room for the chunks after it.
  int64_t lo = prev + shape.min_len;
  int64_t hi = frame_count - shape.min_len * after;
  if (shape.max_len > 0) {
    lo = std::max(lo, frame_count - shape.max_len * after);
    hi = std::min(hi, prev + shape.max_len);
  }
  // Balance, with s = frame_count / n: the chunk has between s/2 and 3s/2 frames, and the cut is
  // within s/2 of its ideal frame i * s (anchored, so deviations never add up).
  lo =
      std::max({lo, prev + CeilDiv(frame_count, 2 * n), CeilDiv((2 * i - 1) * frame_count, 2 * n)});
  hi = std::min({hi, prev + 3 * frame_count / (2 * n), (2 * i + 1) * frame_count / (2 * n)});
  int64_t best = -1;
  int64_t best_distance = 0;
  for (auto it = std::lower_bound(starts.begin(), starts.end(), lo);
       it != starts.end() && *it <= hi; ++it) {
    // n times the distance to the ideal frame, so the comparison stays in integers.
    const int64_t distance = std::llabs(n * *it - i * frame_count);
    if (best < 0 || distance < best_distance) {
      best = *it;
      best_distance = distance;
    }
  }
  if (best >= 0) return best;
  // The ideal frame rounded half up, kept within the limits (lo <= hi always: the limits and the
  // balance ranges overlap around i * s since min_len <= s <= max_len).
  return std::min(std::max((2 * i * frame_count + n) / (2 * n), lo), hi);
}

}  // namespace

absl::StatusOr<std::vector<ChunkRange>> PlanCuts(int64_t frame_count, int64_t fps_num,
                                                 int64_t fps_den,
                                                 absl::Span<const int64_t> scene_starts,
                                                 const CutRequest& request) {
  if (frame_count < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot plan chunks for ", frame_count, " frames"));
  }
  if (fps_num < 1 || fps_den < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("frame rate ", fps_num, "/", fps_den, " is not positive"));
  }
  RETURN_IF_ERROR(ValidateSceneStarts(frame_count, scene_starts));
  ASSIGN_OR_RETURN(const ChunkShape shape, request.forced_chunks != 0
                                               ? ForcedShape(frame_count, request.forced_chunks)
                                               : AutoShape(frame_count, fps_num, fps_den, request));

  std::vector<ChunkRange> plan;
  int64_t prev = 0;
  for (int64_t i = 1; i < shape.count; ++i) {
    const int64_t cut = ChooseCut(frame_count, prev, i, shape, scene_starts);
    plan.push_back({static_cast<int>(plan.size()), prev, cut - prev, true});
    prev = cut;
  }
  plan.push_back({static_cast<int>(plan.size()), prev, frame_count - prev, true});
  for (ChunkRange& range : plan) {
    range.starts_on_scene_cut =
        range.first_frame == 0 ||
        std::binary_search(scene_starts.begin(), scene_starts.end(), range.first_frame);
  }
  return plan;
}

absl::StatusOr<std::vector<int64_t>> SceneStartsFromRpus(
    absl::Span<const absl::Span<const uint8_t>> payloads) {
  std::vector<int64_t> starts;
  for (size_t i = 0; i < payloads.size(); ++i) {
    absl::StatusOr<dovi::Rpu> rpu = dovi::ParseRpu(payloads[i]);
    if (!rpu.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("RPU of frame ", i, " does not parse: ", rpu.status().message()));
    }
    if (i == 0 || (rpu->vdr_dm_data && rpu->vdr_dm_data->scene_refresh_flag != 0)) {
      starts.push_back(static_cast<int64_t>(i));
    }
  }
  return starts;
}

}  // namespace mkvfleet::chunk
