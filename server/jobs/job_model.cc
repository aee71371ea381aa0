// Names of the domain enums as stored in SQLite and shown to users.
#include "server/jobs/job_model.h"

namespace mkvfleet::server {
namespace {
constexpr struct {
  JobState state;
  const char* name;
} kJobStates[] = {
    {JobState::kPending, "pending"},   {JobState::kRunning, "running"},
    {JobState::kCompleted, "completed"}, {JobState::kSkipped, "skipped"},
    {JobState::kFailed, "failed"},     {JobState::kFailedPermanent, "failed_permanent"},
    {JobState::kCancelled, "cancelled"},
};
constexpr struct {
  StepState state;
  const char* name;
} kStepStates[] = {
    {StepState::kPending, "pending"}, {StepState::kRunning, "running"},
    {StepState::kDone, "done"},       {StepState::kFailed, "failed"},
    {StepState::kSkipped, "skipped"},
};
}  // namespace

const char* JobStateName(JobState state) {
  for (const auto& s : kJobStates) {
    if (s.state == state) return s.name;
  }
  return "unknown";
}

bool ParseJobState(const std::string& name, JobState* out) {
  for (const auto& s : kJobStates) {
    if (name == s.name) {
      *out = s.state;
      return true;
    }
  }
  return false;
}

bool IsTerminal(JobState state) {
  return state == JobState::kCompleted || state == JobState::kSkipped ||
         state == JobState::kFailedPermanent || state == JobState::kCancelled;
}

const char* StepStateName(StepState state) {
  for (const auto& s : kStepStates) {
    if (s.state == state) return s.name;
  }
  return "unknown";
}

bool ParseStepState(const std::string& name, StepState* out) {
  for (const auto& s : kStepStates) {
    if (name == s.name) {
      *out = s.state;
      return true;
    }
  }
  return false;
}

const char* AgentStatusName(AgentStatus status) {
  switch (status) {
    case AgentStatus::kIdle: return "idle";
    case AgentStatus::kBusy: return "busy";
    case AgentStatus::kDraining: return "draining";
    case AgentStatus::kStale: return "stale";
  }
  return "unknown";
}

AgentStatus StatusOf(const AgentRecord& agent) {
  if (agent.stale) return AgentStatus::kStale;
  if (agent.drained) return AgentStatus::kDraining;
  if (agent.current_job_id != 0) return AgentStatus::kBusy;
  return AgentStatus::kIdle;
}

}  // namespace mkvfleet::server
