// See job_timing.h.
#include "bench/chunked/job_timing.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mkvfleet::bench {
namespace {

using nlohmann::json;

int64_t IntOf(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->get<int64_t>();
}

struct LogLine {
  int64_t time_ms = 0;
  std::string source;
  std::string text;
};

std::vector<LogLine> SortedLines(const json& logs) {
  std::vector<LogLine> lines;
  if (!logs.is_array()) return lines;
  for (const json& l : logs) {
    if (!l.is_object()) continue;
    lines.push_back({IntOf(l, "time_ms"), l.value("source", ""), l.value("text", "")});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const LogLine& a, const LogLine& b) { return a.time_ms < b.time_ms; });
  return lines;
}

// The first line at or after `after_ms` whose text holds one of `needles`; 0 when none.
int64_t FirstLine(const std::vector<LogLine>& lines, std::initializer_list<const char*> needles,
                  int64_t after_ms = 0) {
  for (const LogLine& l : lines) {
    if (l.time_ms < after_ms) continue;
    for (const char* n : needles) {
      if (absl::StrContains(l.text, n)) return l.time_ms;
    }
  }
  return 0;
}

int64_t LastLine(const std::vector<LogLine>& lines, const char* needle) {
  int64_t t = 0;
  for (const LogLine& l : lines) {
    if (absl::StrContains(l.text, needle)) t = l.time_ms;
  }
  return t;
}

// The chunk phase and the assemble start of a chunked job.
absl::Status ReadChunkPhases(const std::vector<LogLine>& lines, JobTiming& t) {
  // The step runner's line for the CHUNKED report; the design's wording as an alternative.
  t.split_ms = FirstLine(lines, {"split the job into", "encode split into"});
  for (const ChunkTiming& c : t.chunks) {
    if (c.started_ms > 0 && (t.chunks_first_ms == 0 || c.started_ms < t.chunks_first_ms)) {
      t.chunks_first_ms = c.started_ms;
    }
    t.chunks_last_ms = std::max(t.chunks_last_ms, c.finished_ms);
  }
  const int64_t last_chunk_line = LastLine(lines, "runs chunk");
  t.assemble_ms = FirstLine(lines, {"runs pipeline"},
                            std::max({t.split_ms, last_chunk_line, t.chunks_last_ms}));
  if (t.chunks_first_ms == 0 || t.chunks_last_ms == 0) {
    t.chunk_times_from_logs = true;
    t.chunks_first_ms = FirstLine(lines, {"runs chunk"}, t.split_ms);
    t.chunks_last_ms = t.assemble_ms;
  }
  if (t.split_ms == 0) t.split_ms = t.chunks_first_ms;  // no split line: prepare ends there
  if (t.split_ms == 0 || t.chunks_first_ms == 0 || t.chunks_last_ms == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "job ", t.id, " has chunks but neither chunk times nor the log lines (\"split the job "
        "into\", \"runs chunk\", \"runs pipeline\") that bound its phases"));
  }
  return absl::OkStatus();
}

}  // namespace

double Span(int64_t from_ms, int64_t to_ms) {
  if (from_ms <= 0 || to_ms <= 0 || to_ms < from_ms) return 0;
  return static_cast<double>(to_ms - from_ms) / 1000.0;
}

double JobTiming::step(const std::string& name) const {
  for (const StepTiming& s : steps) {
    if (s.name == name) return s.seconds();
  }
  return 0;
}

double JobTiming::chunk_busy() const {
  double sum = 0;
  for (const ChunkTiming& c : chunks) sum += c.seconds();
  return sum;
}

int JobTiming::retried_chunks() const {
  int n = 0;
  for (const ChunkTiming& c : chunks) n += c.attempts > 1 ? 1 : 0;
  return n;
}

absl::StatusOr<JobTiming> ParseJobTiming(const json& show, const json& logs, int64_t enqueued_ms,
                                         int64_t observed_done_ms) {
  if (!show.is_object() || !show.contains("id")) {
    return absl::InvalidArgumentError("not a job: " + show.dump().substr(0, 200));
  }
  JobTiming t;
  t.id = IntOf(show, "id");
  t.enqueued_ms = enqueued_ms;
  int64_t encode_frames = 0;
  for (const json& s : show.value("steps", json::array())) {
    StepTiming st{s.value("name", ""), IntOf(s, "started_ms"), IntOf(s, "finished_ms")};
    if (st.name == "encode") encode_frames = IntOf(s, "frames_total");
    t.completed_ms = std::max(t.completed_ms, st.finished_ms);
    t.steps.push_back(std::move(st));
  }
  if (t.completed_ms == 0) t.completed_ms = observed_done_ms;
  for (const json& c : show.value("chunks", json::array())) {
    t.chunks.push_back({static_cast<int>(IntOf(c, "index")), IntOf(c, "frames"),
                        c.value("agent", ""), static_cast<int>(IntOf(c, "attempts")),
                        IntOf(c, "started_ms"), IntOf(c, "finished_ms")});
    t.frames += t.chunks.back().frames;
  }
  if (t.frames == 0) t.frames = encode_frames;

  const std::vector<LogLine> lines = SortedLines(logs);
  for (const LogLine& l : lines) {
    if (l.source != "coordinator" && l.time_ms > 0) {
      t.claimed_ms = l.time_ms;
      break;
    }
  }
  if (t.claimed_ms == 0) {  // no agent lines: the first step's start
    for (const StepTiming& s : t.steps) {
      if (s.started_ms > 0 && (t.claimed_ms == 0 || s.started_ms < t.claimed_ms)) {
        t.claimed_ms = s.started_ms;
      }
    }
  }
  if (t.chunked()) {
    if (absl::Status s = ReadChunkPhases(lines, t); !s.ok()) return s;
  }
  return t;
}

}  // namespace mkvfleet::bench
