// See film_model.h.
#include "bench/chunked/film_model.h"

#include <algorithm>
#include <functional>
#include <queue>

#include "absl/status/status.h"
#include "common/chunk/cut_plan.h"

namespace mkvfleet::bench {

namespace {

SerialCost Fit(double total, int64_t frames, double short_total, int64_t short_frames) {
  if (short_frames <= 0) return {0, total / static_cast<double>(frames)};
  const double slope = (total - short_total) / static_cast<double>(frames - short_frames);
  if (slope < 0) return {(total + short_total) / 2, 0};
  // A line through zero frames below zero is noise too: no negative fixed part.
  return {std::max(0.0, short_total - slope * static_cast<double>(short_frames)), slope};
}

}  // namespace

MeasuredCosts FitCosts(const SerialTotals& t, int64_t frames, const SerialTotals& s,
                       int64_t short_frames, double chunk_overhead) {
  MeasuredCosts m;
  m.whole_other = Fit(t.whole_other, frames, s.whole_other, short_frames);
  m.before_chunks = Fit(t.before_chunks, frames, s.before_chunks, short_frames);
  m.after_chunks = Fit(t.after_chunks, frames, s.after_chunks, short_frames);
  m.chunk_overhead = chunk_overhead;
  return m;
}

double ListScheduleMakespan(const std::vector<double>& chunk_seconds, int agents) {
  // Min-heap of the times the agents become free.
  std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
  for (int i = 0; i < agents; ++i) free_at.push(0);
  double end = 0;
  for (double s : chunk_seconds) {
    const double start = free_at.top();
    free_at.pop();
    free_at.push(start + s);
    end = std::max(end, start + s);
  }
  return end;
}

absl::StatusOr<FilmPrediction> PredictFilm(const MeasuredCosts& m, const FilmSpec& film, int vms,
                                           double serial_scale) {
  if (vms < 1 || !(film.encode_fps_per_vm > 0) || !(serial_scale > 0)) {
    return absl::InvalidArgumentError("the film model needs vms >= 1, fps > 0 and scale > 0");
  }
  chunk::CutRequest cuts = chunk::CutRequest::Auto(vms);
  cuts.chunks_per_agent = film.chunks_per_vm;
  cuts.min_chunk_seconds = film.min_chunk_seconds;
  cuts.max_chunk_seconds = film.max_chunk_seconds;
  const std::vector<int64_t> scene_starts = {0};  // cuts on the ideal frames
  absl::StatusOr<std::vector<chunk::ChunkRange>> ranges =
      chunk::PlanCuts(film.frames, film.fps_num, film.fps_den, scene_starts, cuts);
  if (!ranges.ok()) return ranges.status();

  const double frames = static_cast<double>(film.frames);
  FilmPrediction p;
  p.vms = vms;
  p.chunks = static_cast<int>(ranges->size());
  p.one_vm_seconds = frames / film.encode_fps_per_vm + m.whole_other.At(frames, serial_scale);
  std::vector<double> chunk_seconds;
  for (const chunk::ChunkRange& r : *ranges) {
    chunk_seconds.push_back(static_cast<double>(r.frames) / film.encode_fps_per_vm +
                            m.chunk_overhead * serial_scale);
  }
  p.before_chunks = m.before_chunks.At(frames, serial_scale);
  p.chunk_phase = ListScheduleMakespan(chunk_seconds, vms);
  p.after_chunks = m.after_chunks.At(frames, serial_scale);
  p.seconds = p.before_chunks + p.chunk_phase + p.after_chunks;
  return p;
}

}  // namespace mkvfleet::bench
