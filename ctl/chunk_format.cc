// mkvctl's chunk formatting, kept apart from the job, agent and log formatting in
// output_format.cc (see chunk_format.h).
#include "ctl/chunk_format.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ctl/output_format.h"

namespace mkvfleet::ctl {
namespace {

// "0..4999": the chunk's display-order frame range, inclusive.
std::string FrameRange(const v1::Chunk& c) {
  return absl::StrCat(c.first_frame(), "..",
                      c.first_frame() + std::max<int64_t>(c.frames(), 1) - 1);
}

// The PROGRESS cell of a chunk: "100%" done, "45% 23.1 fps eta 2m3s" running, "12%" for a failed
// attempt that got somewhere, "" otherwise.
std::string ChunkProgressText(const v1::Chunk& c) {
  switch (c.state()) {
    case v1::CHUNK_STATE_DONE: return "100%";
    case v1::CHUNK_STATE_RUNNING:
      return absl::StrCat(ChunkPercent(c), "%", RateText(c.progress()));
    default: return c.progress().frames_done() > 0 ? absl::StrCat(ChunkPercent(c), "%") : "";
  }
}

}  // namespace

std::string ChunkStateName(v1::ChunkState state) {
  switch (state) {
    case v1::CHUNK_STATE_PENDING: return "pending";
    case v1::CHUNK_STATE_RUNNING: return "running";
    case v1::CHUNK_STATE_DONE: return "done";
    case v1::CHUNK_STATE_FAILED: return "failed";
    default: return "unknown";
  }
}

nlohmann::json ChunkToJson(const v1::Chunk& c) {
  const v1::Progress& p = c.progress();
  return {{"index", c.index()},
          {"first_frame", c.first_frame()},
          {"frames", c.frames()},
          {"state", ChunkStateName(c.state())},
          {"agent", c.agent()},
          {"attempts", c.attempts()},
          {"progress",
           {{"frames_done", p.frames_done()},
            {"frames_total", p.frames_total()},
            {"fps", p.fps()},
            {"eta_ms", p.eta_ms()}}},
          {"error", c.error()},
          {"started", TimeJson(c.started_ms())},
          {"finished", TimeJson(c.finished_ms())},
          {"started_ms", c.started_ms()},
          {"finished_ms", c.finished_ms()},
          {"not_before", TimeJson(c.not_before_ms())},
          {"task_id", c.task_id()},
          {"checkpoint", CheckpointJson(c.checkpoint())}};
}

std::string ChunkSummary(const v1::Job& job) {
  if (job.chunks_size() == 0) return "";
  int done = 0, failed = 0;
  std::vector<std::string> running;
  for (const auto& c : job.chunks()) {
    if (c.state() == v1::CHUNK_STATE_DONE) ++done;
    if (c.state() == v1::CHUNK_STATE_FAILED) ++failed;
    if (c.state() == v1::CHUNK_STATE_RUNNING) {
      const std::string agent = c.agent().empty() ? "?" : c.agent();
      running.push_back(absl::StrCat(agent, " ", ChunkPercent(c), "%"));
    }
  }
  std::string out = absl::StrCat(done, "/", job.chunks_size(), " done");
  if (!running.empty()) {
    absl::StrAppend(&out, ", ", running.size(), " running: ", absl::StrJoin(running, ", "));
  }
  if (failed > 0) absl::StrAppend(&out, ", ", failed, " failed");
  return out;
}

int ChunkPercent(const v1::Chunk& c) {
  if (c.state() == v1::CHUNK_STATE_DONE) return 100;
  const int64_t total = c.progress().frames_total() > 0 ? c.progress().frames_total() : c.frames();
  if (total <= 0) return 0;
  return static_cast<int>(std::clamp<int64_t>(c.progress().frames_done() * 100 / total, 0, 100));
}

std::string ChunksTable(const v1::Job& job) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : job.chunks()) {
    rows.push_back({absl::StrCat(c.index()), FrameRange(c), ChunkStateName(c.state()), c.agent(),
                    absl::StrCat(c.attempts()), ChunkProgressText(c), c.error()});
  }
  return RenderTable({"#", "FRAMES", "STATE", "AGENT", "ATTEMPTS", "PROGRESS", "ERROR"}, rows);
}

std::string ChunkingText(const v1::Job& job) {
  if (job.chunks_size() > 0) return ChunkSummary(job);
  if (job.chunks_requested() == 1) return "never (--chunks 1)";
  if (job.chunks_requested() >= 2) return absl::StrCat(job.chunks_requested(), " requested");
  return "";
}

}  // namespace mkvfleet::ctl
