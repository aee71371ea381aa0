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
  task.attempts = t.job().attempts();
  task.size_bytes = t.job().size_bytes();
  task.resume_from_step = t.resume_from_step();
  task.resume_reason = t.resume_reason();
  for (const auto& s : t.job().steps()) {
    task.steps.push_back(StepRecord{s.index(), s.name(), StepStatusFromProto(s.state()),
                                    CheckpointFromProto(s.checkpoint()), s.agent()});
  }
  return task;
}

}  // namespace mkvfleet::agent
