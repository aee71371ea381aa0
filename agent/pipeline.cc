// StepContext helpers, the failure classification and the redo-chunks payload of pipeline.h.
#include "agent/pipeline.h"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mkvfleet::agent {

const Checkpoint* StepContext::CheckpointOf(absl::string_view name) const {
  for (const auto& s : earlier_steps_) {
    if (s.name == name) return &s.checkpoint;
  }
  return nullptr;
}

std::string StepContext::ToLocal(absl::string_view coordinator_path) const {
  return path_map_ ? ToLocalPath(coordinator_path, *path_map_) : std::string(coordinator_path);
}

std::string StepContext::ToCoordinator(absl::string_view local_path) const {
  return path_map_ ? ToCoordinatorPath(local_path, *path_map_) : std::string(local_path);
}

void StepContext::ReportProgress(const Progress& p) const {
  std::lock_guard<std::mutex> lock(hooks_mu_);
  if (hooks_.report_progress) hooks_.report_progress(p);
}

void StepContext::Log(LogLevel level, const std::string& text) const {
  std::lock_guard<std::mutex> lock(hooks_mu_);
  if (hooks_.log) hooks_.log(level, text);
}

namespace {
constexpr char kRedoChunksPayload[] = "type.mkvfleet/agent.redo_chunks";
}  // namespace

absl::Status WithRedoChunks(absl::Status status, const std::vector<int>& chunks) {
  if (!status.ok() && !chunks.empty()) {
    status.SetPayload(kRedoChunksPayload, absl::Cord(absl::StrJoin(chunks, ",")));
  }
  return status;
}

std::vector<int> RedoChunksOf(const absl::Status& status) {
  std::vector<int> chunks;
  const auto payload = status.GetPayload(kRedoChunksPayload);
  if (!payload) return chunks;
  for (absl::string_view part : absl::StrSplit(std::string(*payload), ',', absl::SkipEmpty())) {
    int index = 0;
    if (absl::SimpleAtoi(part, &index)) chunks.push_back(index);
  }
  return chunks;
}

bool IsPermanentFailure(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnimplemented:
      return true;
    default:
      return false;
  }
}

}  // namespace mkvfleet::agent
