// mkvfleet.v1 messages → dashboard JSON; see json_view.h.
#include "server/http/json_view.h"

#include <algorithm>
#include <vector>

namespace mkvfleet::http {

std::string JobStateName(v1::JobState state) {
  switch (state) {
    case v1::JOB_STATE_PENDING:
      return "pending";
    case v1::JOB_STATE_RUNNING:
      return "running";
    case v1::JOB_STATE_COMPLETED:
      return "completed";
    case v1::JOB_STATE_SKIPPED:
      return "skipped";
    case v1::JOB_STATE_FAILED:
      return "failed";
    case v1::JOB_STATE_FAILED_PERMANENT:
      return "failed_permanent";
    case v1::JOB_STATE_CANCELLED:
      return "cancelled";
    default:
      return "unspecified";
  }
}

const std::vector<v1::JobState>& AllJobStates() {
  static const std::vector<v1::JobState> states = {
      v1::JOB_STATE_PENDING,  v1::JOB_STATE_RUNNING, v1::JOB_STATE_COMPLETED,
      v1::JOB_STATE_SKIPPED,  v1::JOB_STATE_FAILED,  v1::JOB_STATE_FAILED_PERMANENT,
      v1::JOB_STATE_CANCELLED};
  return states;
}

const std::vector<v1::AgentStatus>& AllAgentStatuses() {
  static const std::vector<v1::AgentStatus> statuses = {
      v1::AGENT_STATUS_IDLE, v1::AGENT_STATUS_BUSY, v1::AGENT_STATUS_DRAINING,
      v1::AGENT_STATUS_STALE};
  return statuses;
}

std::optional<v1::JobState> ParseJobStateName(absl::string_view name) {
  for (v1::JobState s : AllJobStates()) {
    if (JobStateName(s) == name) return s;
  }
  return std::nullopt;
}

std::string AgentStatusName(v1::AgentStatus status) {
  switch (status) {
    case v1::AGENT_STATUS_IDLE:
      return "idle";
    case v1::AGENT_STATUS_BUSY:
      return "busy";
    case v1::AGENT_STATUS_DRAINING:
      return "draining";
    case v1::AGENT_STATUS_STALE:
      return "stale";
    default:
      return "unspecified";
  }
}

std::string StepStateName(v1::StepState state) {
  switch (state) {
    case v1::STEP_STATE_PENDING:
      return "pending";
    case v1::STEP_STATE_RUNNING:
      return "running";
    case v1::STEP_STATE_DONE:
      return "done";
    case v1::STEP_STATE_FAILED:
      return "failed";
    case v1::STEP_STATE_SKIPPED:
      return "skipped";
    default:
      return "unspecified";
  }
}

std::string ChunkStateName(v1::ChunkState state) {
  switch (state) {
    case v1::CHUNK_STATE_PENDING:
      return "pending";
    case v1::CHUNK_STATE_RUNNING:
      return "running";
    case v1::CHUNK_STATE_DONE:
      return "done";
    case v1::CHUNK_STATE_FAILED:
      return "failed";
    default:
      return "unspecified";
  }
}

namespace {

nlohmann::json ProgressToJson(const v1::Progress& p) {
  double percent = -1;
  if (p.frames_total() > 0) {
    percent = 100.0 * static_cast<double>(p.frames_done()) / static_cast<double>(p.frames_total());
    if (percent > 100) percent = 100;
  }
  return {{"frames_done", p.frames_done()},
          {"frames_total", p.frames_total()},
          {"fps", p.fps()},
          {"eta_ms", p.eta_ms()},
          {"percent", percent}};
}

nlohmann::json StepToJson(const v1::Step& s) {
  int64_t duration = 0;
  if (s.started_ms() > 0 && s.finished_ms() >= s.started_ms()) {
    duration = s.finished_ms() - s.started_ms();
  }
  return {{"index", s.index()},
          {"name", s.name()},
          {"state", StepStateName(s.state())},
          {"started_ms", s.started_ms()},
          {"finished_ms", s.finished_ms()},
          {"duration_ms", duration},
          {"agent", s.agent()},
          {"message", s.message()},
          {"progress", ProgressToJson(s.progress())}};
}

nlohmann::json ChunkCounts(const v1::Job& job) {
  int pending = 0, running = 0, done = 0, failed = 0;
  for (const v1::Chunk& c : job.chunks()) {
    switch (c.state()) {
      case v1::CHUNK_STATE_RUNNING:
        ++running;
        break;
      case v1::CHUNK_STATE_DONE:
        ++done;
        break;
      case v1::CHUNK_STATE_FAILED:
        ++failed;
        break;
      default:
        ++pending;
    }
  }
  return {{"total", job.chunks_size()},
          {"pending", pending},
          {"running", running},
          {"done", done},
          {"failed", failed}};
}

}  // namespace

nlohmann::json ChunkToJson(const v1::Chunk& c) {
  nlohmann::json progress = ProgressToJson(c.progress());
  if (c.state() == v1::CHUNK_STATE_DONE) {
    progress["percent"] = 100.0;
  } else if (c.progress().frames_total() <= 0 && c.frames() > 0) {
    progress["percent"] = std::min(100.0, 100.0 * static_cast<double>(c.progress().frames_done()) /
                                              static_cast<double>(c.frames()));
  }
  return {{"index", c.index()},
          {"first_frame", c.first_frame()},
          {"frames", c.frames()},
          {"state", ChunkStateName(c.state())},
          {"agent", c.agent()},
          {"attempts", c.attempts()},
          {"retries", c.attempts() > 1 ? c.attempts() - 1 : 0},
          {"error", c.error()},
          {"task_id", c.task_id()},
          {"started_ms", c.started_ms()},
          {"finished_ms", c.finished_ms()},
          {"not_before_ms", c.not_before_ms()},
          {"progress", progress}};
}

nlohmann::json JobToJson(const v1::Job& job) {
  nlohmann::json steps = nlohmann::json::array();
  for (const v1::Step& s : job.steps()) steps.push_back(StepToJson(s));
  nlohmann::json chunks = nlohmann::json::array();
  for (const v1::Chunk& c : job.chunks()) chunks.push_back(ChunkToJson(c));
  return {{"id", job.id()},
          {"path", job.path()},
          {"state", JobStateName(job.state())},
          {"plan", job.plan()},
          {"step", job.step()},
          {"attempts", job.attempts()},
          {"max_attempts", job.max_attempts()},
          {"error", job.error()},
          {"output", job.output()},
          {"agent", job.agent()},
          {"size_bytes", job.size_bytes()},
          {"created_ms", job.created_ms()},
          {"updated_ms", job.updated_ms()},
          {"not_before_ms", job.not_before_ms()},
          {"progress", ProgressToJson(job.progress())},
          {"steps", steps},
          {"chunks_requested", job.chunks_requested()},
          {"chunk_manifest", job.chunk_manifest()},
          {"chunks", chunks},
          {"chunk_counts", ChunkCounts(job)}};
}

nlohmann::json AgentToJson(const v1::Agent& agent) {
  nlohmann::json tools = nlohmann::json::array();
  for (const v1::Tool& t : agent.capabilities().tools()) {
    tools.push_back({{"name", t.name()}, {"version", t.version()}, {"path", t.path()}});
  }
  return {{"name", agent.name()},
          {"version", agent.version()},
          {"status", AgentStatusName(agent.status())},
          {"drained", agent.drained()},
          {"registered_ms", agent.registered_ms()},
          {"last_heartbeat_ms", agent.last_heartbeat_ms()},
          {"current_job_id", agent.current_job_id()},
          {"threads", agent.capabilities().threads()},
          {"free_temp_bytes", agent.capabilities().free_temp_bytes()},
          {"work_dir", agent.capabilities().work_dir()},
          {"tools", tools},
          {"progress", ProgressToJson(agent.progress())}};
}

nlohmann::json LogLineToJson(const v1::LogLine& line) {
  return {{"time_ms", line.time_ms()},
          {"source", line.source()},
          {"level", line.level()},
          {"text", line.text()}};
}

nlohmann::json EventToJson(const v1::Event& event) {
  nlohmann::json out = {{"time_ms", event.time_ms()}};
  switch (event.kind()) {
    case v1::EVENT_KIND_JOB_CHANGED:
      out["kind"] = "job";
      out["job"] = JobToJson(event.job());
      break;
    case v1::EVENT_KIND_AGENT_CHANGED:
      out["kind"] = "agent";
      out["agent"] = AgentToJson(event.agent());
      break;
    case v1::EVENT_KIND_LOG:
      out["kind"] = "log";
      out["job_id"] = event.job().id();
      out["log"] = LogLineToJson(event.log());
      break;
    default:
      out["kind"] = "unspecified";
  }
  return out;
}

nlohmann::json EnqueueResponseToJson(const v1::EnqueueResponse& response) {
  nlohmann::json out = nlohmann::json::array();
  for (const v1::EnqueueResult& r : response.results()) {
    std::string outcome = "unspecified";
    switch (r.outcome()) {
      case v1::ENQUEUE_OUTCOME_CREATED:
        outcome = "created";
        break;
      case v1::ENQUEUE_OUTCOME_DUPLICATE:
        outcome = "duplicate";
        break;
      case v1::ENQUEUE_OUTCOME_REQUEUED:
        outcome = "requeued";
        break;
      case v1::ENQUEUE_OUTCOME_REFUSED:
        outcome = "refused";
        break;
      case v1::ENQUEUE_OUTCOME_WOULD_CREATE:
        outcome = "would_create";
        break;
      default:
        break;
    }
    out.push_back(
        {{"path", r.path()}, {"outcome", outcome}, {"job_id", r.job_id()}, {"reason", r.reason()}});
  }
  return out;
}

}  // namespace mkvfleet::http
