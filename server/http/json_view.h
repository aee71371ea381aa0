// The dashboard's JSON: mkvfleet.v1 messages turned into the plain objects the page renders
// (states spelled as in the CLI: "pending", "failed_permanent", ...; times in Unix ms). Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mkvfleet/v1/admin.pb.h"
#include "mkvfleet/v1/jobs.pb.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::http {

// "pending", "running", "completed", "skipped", "failed", "failed_permanent", "cancelled";
// "unspecified" for anything else.
std::string JobStateName(v1::JobState state);
// The JobState spelled by JobStateName; nullopt for an unknown name.
std::optional<v1::JobState> ParseJobStateName(absl::string_view name);
// "idle", "busy", "draining", "stale".
std::string AgentStatusName(v1::AgentStatus status);
// "pending", "running", "done", "failed", "skipped".
std::string StepStateName(v1::StepState state);
// "pending", "running", "done", "failed".
std::string ChunkStateName(v1::ChunkState state);

// Every job state, in lifecycle order (for metrics with one series per state).
const std::vector<v1::JobState>& AllJobStates();
// Every agent status.
const std::vector<v1::AgentStatus>& AllAgentStatuses();

// {id, path, state, plan, step, attempts, max_attempts, error, output, agent, size_bytes,
//  created_ms, updated_ms, not_before_ms, progress{frames_done, frames_total, fps, eta_ms,
//  percent (-1 when unknown)}, steps[{index, name, state, started_ms, finished_ms, duration_ms,
//  agent, message, progress}], chunks_requested (0 auto, 1 never, N), chunk_manifest ("" unless
//  chunked), chunks[ChunkToJson...] ([] when the message carries none: lists and events may not),
//  chunk_counts{total, pending, running, done, failed}}
nlohmann::json JobToJson(const v1::Job& job);
// {index, first_frame, frames, state, agent, attempts, retries (attempts after the first), error,
//  task_id, started_ms, finished_ms, not_before_ms, progress{frames_done, frames_total, fps,
//  eta_ms, percent}}; percent is 100 for a done chunk, else over the reported total or, before
//  one is reported, over the chunk's frame count.
nlohmann::json ChunkToJson(const v1::Chunk& chunk);
// {name, version, status, drained, registered_ms, last_heartbeat_ms, current_job_id, threads,
//  free_temp_bytes, work_dir, tools[{name, version, path}], progress{...}}
nlohmann::json AgentToJson(const v1::Agent& agent);
// {time_ms, source, level, text}
nlohmann::json LogLineToJson(const v1::LogLine& line);
// {kind: "job"|"agent"|"log", time_ms, job|agent|log: ...}; a log event also carries job_id.
nlohmann::json EventToJson(const v1::Event& event);
// [{path, outcome: "created"|"duplicate"|"requeued"|"refused"|"would_create", job_id, reason}]
nlohmann::json EnqueueResponseToJson(const v1::EnqueueResponse& response);

}  // namespace mkvfleet::http
