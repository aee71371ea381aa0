// Every piece of mkvctl output in one place: lowercase state names, human tables, the --json
// objects scripts rely on, progress bars for watch. Pure functions over generated messages.
//
// JSON contract (keep stable): a job is an object with at least
//   id, path, state, step, attempts, max_attempts, plan, agent, error, output, progress
// ("progress" is null or {frames_done, frames_total, fps, eta_ms}); `show` adds "steps", each
//   {index, name, state, started, finished, started_ms, finished_ms, agent, message,
//    frames_done, frames_total (when known), checkpoint {artifacts, facts}}
// with started/finished as ISO-8601 UTC strings or null, and "rpus_repaired" (frames whose Dolby
// Vision RPUs the probe had repaired, 0 for none). Every job also has "chunks_requested"
// (0 auto, 1 never, N >= 2), "chunk_manifest" ("" unless chunked) and "repair_rpus" (asked at
// enqueue); "chunks" is there for
// `show` (with_steps, [] for a job without chunks) and in lists when the job carries chunks:
//   [{index, first_frame, frames, state ("pending"|"running"|"done"|"failed"), agent, attempts,
//     progress {frames_done, frames_total, fps, eta_ms} (always an object), error,
//     started, finished, started_ms, finished_ms, not_before, task_id,
//     checkpoint {artifacts, facts}}]
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "ctl/chunk_format.h"  // the chunk side: ChunkStateName, ChunkToJson, ChunkSummary, ...
#include "mkvfleet/v1/admin.pb.h"
#include "mkvfleet/v1/jobs.pb.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::ctl {

// "pending", "running", "completed", "skipped", "failed", "failed_permanent", "cancelled".
std::string JobStateName(v1::JobState state);
// The inverse (case-insensitive); nullopt for an unknown name.
std::optional<v1::JobState> ParseJobState(absl::string_view name);
// "pending", "running", "done", "failed", "skipped".
std::string StepStateName(v1::StepState state);
// "idle", "busy", "draining", "stale".
std::string AgentStatusName(v1::AgentStatus status);
// "created", "duplicate", "requeued", "refused", "would_create".
std::string EnqueueOutcomeName(v1::EnqueueOutcome outcome);

nlohmann::json JobToJson(const v1::Job& job, bool with_steps);
nlohmann::json AgentToJson(const v1::Agent& agent);
nlohmann::json EnqueueResultToJson(const v1::EnqueueResult& result);
nlohmann::json LogLineToJson(const v1::LogLine& line);

// Left-aligned columns separated by two spaces, header first.
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

std::string JobsTable(const std::vector<v1::Job>& jobs);
// key: value lines (progress with fps and ETA while running, a chunk summary), then a steps
// table, then for a chunked job a chunks table:
//   #  FRAMES  STATE  AGENT  ATTEMPTS  PROGRESS ("45% 23.1 fps eta 2m3s")  ERROR
std::string JobDetail(const v1::Job& job);
std::string AgentsTable(const std::vector<v1::Agent>& agents);
std::string EnqueueTable(const std::vector<v1::EnqueueResult>& results);
std::string LogText(const std::vector<v1::LogLine>& lines);  // "TIME SOURCE LEVEL TEXT" lines

// "[#####-----]  50%" for known totals, "frame 1234" otherwise, "" without progress.
std::string ProgressBar(const v1::Progress& progress, int width);
// One watch line: "#12 running encode [####----] 40% 23.1 fps eta 1m2s  /path"; a pending or
// running chunked job adds " chunks " + ChunkSummary before the path.
std::string WatchLine(const v1::Job& job, int bar_width);

// "2026-11-25T13:20:03Z", "" for 0.
std::string FormatTime(int64_t unix_ms);
// "1.5 GiB", "12 MiB", "512 B".
std::string FormatBytes(int64_t bytes);

// Building blocks shared with chunk_format.cc.
// FormatTime(ms) as JSON, null for 0.
nlohmann::json TimeJson(int64_t unix_ms);
// {artifacts: [{name, path, location ("shared"|"agent_local"), agent, size_bytes}], facts: {}}.
nlohmann::json CheckpointJson(const v1::Checkpoint& checkpoint);
// " 23.1 fps eta 1m2s" (each part only when known), "" when neither is.
std::string RateText(const v1::Progress& progress);

}  // namespace mkvfleet::ctl
