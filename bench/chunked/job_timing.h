// Where the wall time of one finished dv-reencode job went, read from what the coordinator
// records (`mkvctl --json show ID`: steps and chunks with started_ms/finished_ms; `mkvctl --json
// logs ID`: every log line with time_ms) plus the bench's own enqueue time. Pure: JSON in,
// values out. Times are Unix milliseconds; the agents' log stamps and the bench's clock are
// assumed to agree (same machine, or NTP).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::bench {

// (to - from) in seconds; 0 when either is unknown (0) or to < from.
double Span(int64_t from_ms, int64_t to_ms);

struct ChunkTiming {
  int index = 0;
  int64_t frames = 0;
  std::string agent;
  int attempts = 0;
  int64_t started_ms = 0;   // the accepted attempt's claim
  int64_t finished_ms = 0;  // its chunk accepted
  double seconds() const { return Span(started_ms, finished_ms); }
};

struct StepTiming {
  std::string name;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  double seconds() const { return Span(started_ms, finished_ms); }
};

struct JobTiming {
  int64_t id = 0;
  int64_t frames = 0;          // sum of the chunks' frames, else the encode step's frames_total
  int64_t enqueued_ms = 0;     // the bench's clock, before `mkvctl enqueue` (0 = unknown)
  int64_t claimed_ms = 0;      // the first agent log line of the job
  int64_t completed_ms = 0;    // the last step's finish (else when the bench saw the end)
  std::vector<StepTiming> steps;
  // Chunked jobs only (chunks non-empty):
  std::vector<ChunkTiming> chunks;
  int64_t split_ms = 0;           // log "split the job into" (the CHUNKED report)
  int64_t chunks_first_ms = 0;    // the first chunk claimed
  int64_t chunks_last_ms = 0;     // the last chunk accepted
  int64_t assemble_ms = 0;        // the task after the chunks started (assemble, mux, ...)
  bool chunk_times_from_logs = false;  // show had no chunk times: phase bounds from log lines

  bool chunked() const { return !chunks.empty(); }
  // Enqueue (else, for a job enqueued elsewhere, claim) to completed.
  double wall() const { return Span(enqueued_ms ? enqueued_ms : claimed_ms, completed_ms); }
  // The step's seconds, 0 when absent.
  double step(const std::string& name) const;
  // Chunked: claim to the CHUNKED report (probe, plan, rpu, frame index, cut plan, manifest).
  double prepare() const { return Span(claimed_ms, split_ms); }
  // Chunked: the first chunk claimed to the last chunk accepted.
  double chunk_phase() const { return Span(chunks_first_ms, chunks_last_ms); }
  // Chunked: the last chunk accepted to completed (assemble, mux, verify, publish, hand-offs).
  double tail() const { return Span(chunks_last_ms, completed_ms); }
  // Chunked: the sum of the accepted chunks' times (agent-seconds spent in chunks).
  double chunk_busy() const;
  // Chunks retried (attempts > 1): their times include the retries.
  int retried_chunks() const;
};

// Reads `show` and `logs`. Errors: InvalidArgument when `show` is not a job or a chunked job
// lacks the log line or chunk times that bound its phases.
absl::StatusOr<JobTiming> ParseJobTiming(const nlohmann::json& show, const nlohmann::json& logs,
                                         int64_t enqueued_ms, int64_t observed_done_ms);

}  // namespace mkvfleet::bench
