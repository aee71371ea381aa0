// Every piece of mkvctl output in one place: lowercase state names, human tables, the --json
// objects scripts rely on, progress bars for watch. Pure functions over generated messages.
//
// JSON contract (keep stable): a job is an object with at least
//   id, path, state, step, attempts, max_attempts, plan, agent, error, output, progress
// ("progress" is null or {frames_done, frames_total, fps, eta_ms}); `show` adds "steps", each
//   {index, name, state, started, finished, started_ms, finished_ms, agent, message,
//    frames_done, frames_total (when known), checkpoint {artifacts, facts}}
// with started/finished as ISO-8601 UTC strings or null.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
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
std::string JobDetail(const v1::Job& job);  // key: value lines, then a steps table
std::string AgentsTable(const std::vector<v1::Agent>& agents);
std::string EnqueueTable(const std::vector<v1::EnqueueResult>& results);
std::string LogText(const std::vector<v1::LogLine>& lines);  // "TIME SOURCE LEVEL TEXT" lines

// "[#####-----]  50%" for known totals, "frame 1234" otherwise, "" without progress.
std::string ProgressBar(const v1::Progress& progress, int width);
// One watch line: "#12 running encode [####----] 40% 23.1 fps eta 1m2s  /path".
std::string WatchLine(const v1::Job& job, int bar_width);

// "2026-11-25T13:20:03Z", "" for 0.
std::string FormatTime(int64_t unix_ms);
// "1.5 GiB", "12 MiB", "512 B".
std::string FormatBytes(int64_t bytes);

}  // namespace mkvfleet::ctl
