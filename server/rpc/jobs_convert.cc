// Conversion of jobs, steps, checkpoints, agents and log lines between proto and domain.
#include "server/rpc/jobs_convert.h"

namespace mkvfleet::server {

v1::JobState ToProto(JobState s) {
  switch (s) {
    case JobState::kPending: return v1::JOB_STATE_PENDING;
    case JobState::kRunning: return v1::JOB_STATE_RUNNING;
    case JobState::kCompleted: return v1::JOB_STATE_COMPLETED;
    case JobState::kSkipped: return v1::JOB_STATE_SKIPPED;
    case JobState::kFailed: return v1::JOB_STATE_FAILED;
    case JobState::kFailedPermanent: return v1::JOB_STATE_FAILED_PERMANENT;
    case JobState::kCancelled: return v1::JOB_STATE_CANCELLED;
  }
  return v1::JOB_STATE_UNSPECIFIED;
}

bool FromProto(v1::JobState s, JobState* out) {
  switch (s) {
    case v1::JOB_STATE_PENDING: *out = JobState::kPending; return true;
    case v1::JOB_STATE_RUNNING: *out = JobState::kRunning; return true;
    case v1::JOB_STATE_COMPLETED: *out = JobState::kCompleted; return true;
    case v1::JOB_STATE_SKIPPED: *out = JobState::kSkipped; return true;
    case v1::JOB_STATE_FAILED: *out = JobState::kFailed; return true;
    case v1::JOB_STATE_FAILED_PERMANENT: *out = JobState::kFailedPermanent; return true;
    case v1::JOB_STATE_CANCELLED: *out = JobState::kCancelled; return true;
    default: return false;
  }
}

namespace {
v1::StepState ToProto(StepState s) {
  switch (s) {
    case StepState::kPending: return v1::STEP_STATE_PENDING;
    case StepState::kRunning: return v1::STEP_STATE_RUNNING;
    case StepState::kDone: return v1::STEP_STATE_DONE;
    case StepState::kFailed: return v1::STEP_STATE_FAILED;
    case StepState::kSkipped: return v1::STEP_STATE_SKIPPED;
  }
  return v1::STEP_STATE_UNSPECIFIED;
}

v1::AgentStatus ToProto(AgentStatus s) {
  switch (s) {
    case AgentStatus::kIdle: return v1::AGENT_STATUS_IDLE;
    case AgentStatus::kBusy: return v1::AGENT_STATUS_BUSY;
    case AgentStatus::kDraining: return v1::AGENT_STATUS_DRAINING;
    case AgentStatus::kStale: return v1::AGENT_STATUS_STALE;
  }
  return v1::AGENT_STATUS_UNSPECIFIED;
}
}  // namespace

void ToProto(const Progress& in, v1::Progress* out) {
  out->set_frames_done(in.frames_done);
  out->set_frames_total(in.frames_total);
  out->set_fps(in.fps);
  out->set_eta_ms(in.eta_ms);
}

Progress FromProto(const v1::Progress& in) {
  return Progress{in.frames_done(), in.frames_total(), in.fps(), in.eta_ms()};
}

void ToProto(const Checkpoint& in, v1::Checkpoint* out) {
  for (const Artifact& a : in.artifacts) {
    auto* p = out->add_artifacts();
    p->set_name(a.name);
    p->set_path(a.path);
    p->set_location(a.location == ArtifactLocation::kShared ? v1::ARTIFACT_LOCATION_SHARED
                                                            : v1::ARTIFACT_LOCATION_AGENT_LOCAL);
    p->set_agent(a.agent);
    p->set_size_bytes(a.size_bytes);
  }
  for (const auto& [k, v] : in.facts) (*out->mutable_facts())[k] = v;
}

Checkpoint FromProto(const v1::Checkpoint& in) {
  Checkpoint c;
  for (const auto& a : in.artifacts()) {
    // Unspecified counts as local: the safe assumption for reuse by other agents.
    c.artifacts.push_back({a.name(), a.path(),
                           a.location() == v1::ARTIFACT_LOCATION_SHARED
                               ? ArtifactLocation::kShared
                               : ArtifactLocation::kAgentLocal,
                           a.agent(), a.size_bytes()});
  }
  for (const auto& [k, v] : in.facts()) c.facts[k] = v;
  return c;
}

void ToProto(const Chunk& in, v1::Chunk* out) {
  static constexpr v1::ChunkState kStates[] = {v1::CHUNK_STATE_PENDING, v1::CHUNK_STATE_RUNNING,
                                               v1::CHUNK_STATE_DONE, v1::CHUNK_STATE_FAILED};
  out->set_index(in.index);
  out->set_first_frame(in.first_frame);
  out->set_frames(in.frames);
  out->set_state(kStates[static_cast<int>(in.state)]);
  out->set_agent(in.agent);
  out->set_attempts(in.attempts);
  ToProto(in.progress, out->mutable_progress());
  out->set_error(in.error);
  ToProto(in.checkpoint, out->mutable_checkpoint());
  out->set_task_id(in.task.id);
  out->set_started_ms(in.started_ms);
  out->set_finished_ms(in.finished_ms);
  out->set_not_before_ms(in.not_before_ms);
}

void ToProto(const Job& in, bool with_steps, v1::Job* out) {
  out->set_id(in.id);
  out->set_path(in.path);
  out->set_state(ToProto(in.state));
  out->set_step(in.step);
  out->set_attempts(in.attempts);
  out->set_max_attempts(in.max_attempts);
  out->set_error(in.error);
  out->set_output(in.output);
  out->set_plan(in.plan);
  out->set_plan_override(in.plan_override);
  out->set_agent(in.agent);
  out->set_size_bytes(in.size_bytes);
  out->set_mtime_ms(in.mtime_ms);
  out->set_created_ms(in.created_ms);
  out->set_updated_ms(in.updated_ms);
  out->set_not_before_ms(in.not_before_ms);
  out->set_lease_deadline_ms(in.task.lease.deadline_ms);
  ToProto(in.progress, out->mutable_progress());
  out->set_chunks_requested(in.chunks_requested);
  out->set_chunk_manifest(in.chunk_manifest);
  out->set_repair_rpus(in.repair_rpus);
  if (!with_steps) return;
  for (const Chunk& c : in.chunks) ToProto(c, out->add_chunks());
  for (const StepRecord& s : in.steps) {
    auto* p = out->add_steps();
    p->set_index(s.index);
    p->set_name(s.name);
    p->set_state(ToProto(s.state));
    p->set_started_ms(s.started_ms);
    p->set_finished_ms(s.finished_ms);
    ToProto(s.progress, p->mutable_progress());
    ToProto(s.checkpoint, p->mutable_checkpoint());
    p->set_agent(s.agent);
    p->set_message(s.message);
  }
}

void ToProto(const AgentRecord& in, v1::Agent* out) {
  out->set_name(in.name);
  out->set_version(in.version);
  auto* caps = out->mutable_capabilities();
  for (const Tool& t : in.capabilities.tools) {
    auto* p = caps->add_tools();
    p->set_name(t.name);
    p->set_version(t.version);
    p->set_path(t.path);
  }
  caps->set_threads(in.capabilities.threads);
  caps->set_free_temp_bytes(in.capabilities.free_temp_bytes);
  caps->set_work_dir(in.capabilities.work_dir);
  caps->set_shared_work_dir(in.capabilities.shared_work_dir);
  out->set_status(ToProto(StatusOf(in)));
  out->set_drained(in.drained);
  out->set_registered_ms(in.registered_ms);
  out->set_last_heartbeat_ms(in.last_heartbeat_ms);
  out->set_current_job_id(in.current_job_id);
  ToProto(in.progress, out->mutable_progress());
}

AgentCapabilities FromProto(const v1::Capabilities& in) {
  AgentCapabilities c;
  for (const auto& t : in.tools()) c.tools.push_back({t.name(), t.version(), t.path()});
  c.threads = in.threads();
  c.free_temp_bytes = in.free_temp_bytes();
  c.work_dir = in.work_dir();
  c.shared_work_dir = in.shared_work_dir();
  return c;
}

void ToProto(const LogLine& in, v1::LogLine* out) {
  out->set_time_ms(in.time_ms);
  out->set_source(in.source);
  out->set_level(in.level);
  out->set_text(in.text);
}

LogLine FromProto(const v1::LogLine& in) {
  return LogLine{in.time_ms(), in.source(), in.level(), in.text()};
}

}  // namespace mkvfleet::server
