// Names of the domain enums as stored in SQLite and shown to users.
#include "server/jobs/job_model.h"

namespace mkvfleet::server {
namespace {

template <typename E>
struct Named {
  E value;
  const char* name;
};

constexpr Named<JobState> kJobStates[] = {
    {JobState::kPending, "pending"},   {JobState::kRunning, "running"},
    {JobState::kCompleted, "completed"}, {JobState::kSkipped, "skipped"},
    {JobState::kFailed, "failed"},     {JobState::kFailedPermanent, "failed_permanent"},
    {JobState::kCancelled, "cancelled"},
};
constexpr Named<StepState> kStepStates[] = {
    {StepState::kPending, "pending"}, {StepState::kRunning, "running"},
    {StepState::kDone, "done"},       {StepState::kFailed, "failed"},
    {StepState::kSkipped, "skipped"},
};
constexpr Named<ChunkState> kChunkStates[] = {
    {ChunkState::kPending, "pending"}, {ChunkState::kRunning, "running"},
    {ChunkState::kDone, "done"},       {ChunkState::kFailed, "failed"},
};

template <typename E, size_t N>
const char* NameIn(const Named<E> (&table)[N], E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "unknown";
}

template <typename E, size_t N>
bool ParseIn(const Named<E> (&table)[N], const std::string& name, E* out) {
  for (const auto& entry : table) {
    if (name == entry.name) {
      *out = entry.value;
      return true;
    }
  }
  return false;
}

}  // namespace

const char* JobStateName(JobState state) { return NameIn(kJobStates, state); }
bool ParseJobState(const std::string& name, JobState* out) {
  return ParseIn(kJobStates, name, out);
}

bool IsTerminal(JobState state) {
  return state == JobState::kCompleted || state == JobState::kSkipped ||
         state == JobState::kFailedPermanent || state == JobState::kCancelled;
}

const char* StepStateName(StepState state) { return NameIn(kStepStates, state); }
bool ParseStepState(const std::string& name, StepState* out) {
  return ParseIn(kStepStates, name, out);
}

const char* ChunkStateName(ChunkState state) { return NameIn(kChunkStates, state); }
bool ParseChunkState(const std::string& name, ChunkState* out) {
  return ParseIn(kChunkStates, name, out);
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
