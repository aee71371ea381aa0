// chunk_bench's model of a long film on several VMs, from costs measured on bench titles: the
// encode runs at an assumed speed per VM (a flag: 4K at a good preset is 1-3 fps on a small VM);
// the work before and after the chunks (prepare; assemble, mux, verify, publish) costs a fixed
// part plus a per-frame part times a scale (1 = per frame as measured; the film's pixels over
// the title's = as if the per-frame work were per-pixel work); each chunk adds the measured
// per-chunk overhead (times the same scale); the chunks are those chunk::PlanCuts makes in auto
// mode, handed out in order to whichever VM is free. Pure.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace mkvfleet::bench {

// The serial work of a job (not the encode itself), measured on bench titles (seconds).
struct SerialCost {
  double fixed = 0;      // per job: tool start-ups, claim polls, hand-offs
  double per_frame = 0;  // grows with the title's frames (at the bench title's picture size)
  double At(double frames, double per_frame_scale) const {
    return fixed + per_frame * frames * per_frame_scale;
  }
};

// Total serial seconds of one bench run (from bench_report's RunCosts).
struct SerialTotals {
  double whole_other = 0;    // whole-file job: wall minus its encode step
  double before_chunks = 0;  // chunked: enqueue to the first chunk claimed
  double after_chunks = 0;   // chunked: the last chunk accepted to completed
};

struct MeasuredCosts {
  SerialCost whole_other;    // whole-file job: queue, probe, plan, rpu, mux, verify, publish
  SerialCost before_chunks;  // chunked: queue, prepare (probe .. manifest), hand-off
  SerialCost after_chunks;   // chunked: hand-off, assemble, mux, verify, publish
  double chunk_overhead = 0;  // a chunk's time beyond its frames at the whole-file encode speed
};

// Fixed and per-frame parts from two titles of different lengths (a straight line through
// both; a negative slope, from noise, becomes 0 with the mean as the fixed part), or, without
// the short title (`short_frames` == 0), everything per frame (an upper bound for longer titles:
// the fixed part grows with them too). REQUIRES: frames > short_frames >= 0.
MeasuredCosts FitCosts(const SerialTotals& title, int64_t frames, const SerialTotals& short_title,
                       int64_t short_frames, double chunk_overhead);

// The film and the fleet assumptions.
struct FilmSpec {
  int64_t frames = 172646;  // 2 h at 24000/1001
  int64_t fps_num = 24000;
  int64_t fps_den = 1001;
  double encode_fps_per_vm = 2.0;  // assumption: x265 speed of one VM on the film
  // The coordinator's [chunking] defaults (agents * chunks_per_agent, 60..600 s per chunk).
  int chunks_per_vm = 3;
  double min_chunk_seconds = 60;
  double max_chunk_seconds = 600;
};

struct FilmPrediction {
  int vms = 0;
  int chunks = 0;
  double one_vm_seconds = 0;      // the whole-file job on one VM
  double before_chunks = 0;       // serial, before the chunks (with every fixed latency)
  double chunk_phase = 0;         // makespan of the chunks on `vms` VMs
  double after_chunks = 0;        // serial, after the chunks
  double seconds = 0;             // chunked on `vms` VMs
  double speedup() const { return seconds > 0 ? one_vm_seconds / seconds : 0; }
  double efficiency() const { return vms > 0 ? speedup() / vms : 0; }
};

// Time to run chunks taking `chunk_seconds` each, handed out in index order to `agents` agents,
// each taking the next chunk as soon as it is free. REQUIRES: agents >= 1.
double ListScheduleMakespan(const std::vector<double>& chunk_seconds, int agents);

// The film on `vms` VMs, the per-frame serial costs (and the chunk overhead) times
// `serial_scale`. Errors: InvalidArgument for vms < 1, a non-positive encode speed or scale, or
// what chunk::PlanCuts refuses.
absl::StatusOr<FilmPrediction> PredictFilm(const MeasuredCosts& measured, const FilmSpec& film,
                                           int vms, double serial_scale);

}  // namespace mkvfleet::bench
