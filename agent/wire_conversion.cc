// Domain <-> mkvfleet.v1 conversions for the agent (see the header).
#include "agent/wire_conversion.h"

namespace mkvfleet::agent {
namespace {

StepStatus StepStatusFromProto(v1::StepState s) {
  switch (s) {
    case v1::STEP_STATE_RUNNING: return StepStatus::kRunning;
    case v1::STEP_STATE_DONE: return StepStatus::kDone;
    case v1::STEP_STATE_FAILED: return StepStatus::kFailed;
    case v1::STEP_STATE_SKIPPED: return StepStatus::kSkipped;
    default: return StepStatus::kPending;
  }
}

ChunkStatus ChunkStatusFromProto(v1::ChunkState s) {
  switch (s) {
    case v1::CHUNK_STATE_RUNNING: return ChunkStatus::kRunning;
    case v1::CHUNK_STATE_DONE: return ChunkStatus::kDone;
    case v1::CHUNK_STATE_FAILED: return ChunkStatus::kFailed;
    default: return ChunkStatus::kPending;
  }
}

v1::TaskOutcome OutcomeToProto(StepResult::Outcome o) {
  switch (o) {
    case StepResult::Outcome::kContinue: return v1::TASK_OUTCOME_UNSPECIFIED;
    case StepResult::Outcome::kCompleted: return v1::TASK_OUTCOME_COMPLETED;
    case StepResult::Outcome::kSkipped: return v1::TASK_OUTCOME_SKIPPED;
    case StepResult::Outcome::kChunked: return v1::TASK_OUTCOME_CHUNKED;
  }
  return v1::TASK_OUTCOME_UNSPECIFIED;
}

ChunkingRequest ChunkingFromProto(const v1::ChunkingRequest& c) {
  ChunkingRequest out;  // an unset message keeps the defaults of task.h
  if (c.chunks() != 0) out.chunks = c.chunks();
  if (c.agents() != 0) out.agents = c.agents();
  if (c.min_seconds() != 0) out.min_seconds = c.min_seconds();
  if (c.chunks_per_agent() != 0) out.chunks_per_agent = c.chunks_per_agent();
  if (c.min_chunk_seconds() != 0) out.min_chunk_seconds = c.min_chunk_seconds();
  if (c.max_chunk_seconds() != 0) out.max_chunk_seconds = c.max_chunk_seconds();
  return out;
}

ChunkAssignment AssignmentFromProto(const v1::ChunkAssignment& a) {
  return ChunkAssignment{a.index(), a.first_frame(), a.frames(), a.manifest_path(),
                         a.parameter_sets_sha256()};
}

}  // namespace

Progress ProgressFromProto(const v1::Progress& p) {
  return Progress{p.frames_done(), p.frames_total(), p.fps(), p.eta_ms()};
}

void ProgressToProto(const Progress& p, v1::Progress* out) {
  out->set_frames_done(p.frames_done);
  out->set_frames_total(p.frames_total);
  out->set_fps(p.fps);
  out->set_eta_ms(p.eta_ms);
}

Checkpoint CheckpointFromProto(const v1::Checkpoint& c) {
  Checkpoint out;
  for (const auto& a : c.artifacts()) {
    out.artifacts.push_back(Artifact{a.name(), a.path(),
                                     a.location() == v1::ARTIFACT_LOCATION_SHARED
                                         ? ArtifactLocation::kShared
                                         : ArtifactLocation::kAgentLocal,
                                     a.agent(), a.size_bytes()});
  }
  for (const auto& [k, v] : c.facts()) out.facts[k] = v;
  return out;
}

void CheckpointToProto(const Checkpoint& c, v1::Checkpoint* out) {
  for (const auto& a : c.artifacts) {
    v1::Artifact* pa = out->add_artifacts();
    pa->set_name(a.name);
    pa->set_path(a.path);
    pa->set_location(a.location == ArtifactLocation::kShared ? v1::ARTIFACT_LOCATION_SHARED
                                                             : v1::ARTIFACT_LOCATION_AGENT_LOCAL);
    pa->set_agent(a.agent);
    pa->set_size_bytes(a.size_bytes);
  }
  for (const auto& [k, v] : c.facts) (*out->mutable_facts())[k] = v;
}

ChunkRecord ChunkFromProto(const v1::Chunk& c) {
  ChunkRecord out;
  out.index = c.index();
  out.first_frame = c.first_frame();
  out.frames = c.frames();
  out.status = ChunkStatusFromProto(c.state());
  out.agent = c.agent();
  out.attempts = c.attempts();
  out.checkpoint = CheckpointFromProto(c.checkpoint());
  return out;
}

void StepResultToProto(const StepResult& r, v1::ReportStepRequest* out) {
  CheckpointToProto(r.checkpoint, out->mutable_checkpoint());
  out->set_outcome(OutcomeToProto(r.outcome));
  out->set_output_path(r.output_path);
  out->set_reason(r.reason);
  out->set_plan(r.plan);
  if (r.outcome != StepResult::Outcome::kChunked) return;
  for (const ChunkRecord& c : r.chunks) {
    v1::Chunk* pc = out->add_chunks();
    pc->set_index(c.index);
    pc->set_first_frame(c.first_frame);
    pc->set_frames(c.frames);
  }
  out->set_chunk_manifest(r.chunk_manifest);
}

Task TaskFromProto(const v1::Task& t) {
  Task task;
  task.task_id = t.task_id();
  task.lease_id = t.lease_id();
  task.lease_deadline = absl::FromUnixMillis(t.lease_deadline_ms());
  task.job_id = t.job().id();
  task.source_path = t.job().path();
  task.output_path = t.output_path();
  task.library_root = t.library_root();
  task.relative_path = t.relative_path();
  task.plan = t.job().plan();
  task.plan_override = t.job().plan_override();
  task.repair_rpus = t.job().repair_rpus();
  task.attempts = t.job().attempts();
  task.size_bytes = t.job().size_bytes();
  task.resume_from_step = t.resume_from_step();
  task.resume_reason = t.resume_reason();
  for (const auto& s : t.job().steps()) {
    task.steps.push_back(StepRecord{s.index(), s.name(), StepStatusFromProto(s.state()),
                                    CheckpointFromProto(s.checkpoint()), s.agent()});
  }
  task.chunking = ChunkingFromProto(t.chunking());
  if (t.has_chunk()) task.chunk = AssignmentFromProto(t.chunk());
  for (const auto& c : t.job().chunks()) task.chunks.push_back(ChunkFromProto(c));
  task.chunk_manifest = t.job().chunk_manifest();
  return task;
}

}  // namespace mkvfleet::agent
