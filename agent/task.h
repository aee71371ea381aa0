// The agent's view of leased work, free of generated protobuf types: a task with its lease, the
// job's recorded steps and their checkpoints. Converted from/to the wire in wire_conversion.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace mkvfleet::agent {

// Live progress of a long step.
struct Progress {
  int64_t frames_done = 0;
  int64_t frames_total = 0;  // 0 when unknown
  double fps = 0;
  int64_t eta_ms = 0;        // 0 when unknown
};

// Who can reach an artifact: only its producer (kAgentLocal) or every agent (kShared).
enum class ArtifactLocation { kAgentLocal, kShared };

// A file a finished step produced.
struct Artifact {
  std::string name;  // role, e.g. "rpu"
  std::string path;  // agent namespace for kAgentLocal, coordinator namespace for kShared
  ArtifactLocation location = ArtifactLocation::kAgentLocal;
  std::string agent;  // producer
  int64_t size_bytes = 0;
};

// What a finished step leaves for later steps and later attempts.
struct Checkpoint {
  std::vector<Artifact> artifacts;
  std::map<std::string, std::string> facts;
};

// Where a recorded step is.
enum class StepStatus { kPending, kRunning, kDone, kFailed, kSkipped };

// One step as the coordinator recorded it.
struct StepRecord {
  int index = 0;
  std::string name;
  StepStatus status = StepStatus::kPending;
  Checkpoint checkpoint;
  std::string agent;
};

// A leased unit of work.
struct Task {
  int64_t task_id = 0;
  std::string lease_id;  // opaque; never interpreted
  absl::Time lease_deadline;
  int64_t job_id = 0;
  std::string source_path;  // coordinator namespace
  std::string output_path;  // where to publish (coordinator namespace), computed by the coordinator
  std::string library_root;   // the library root source_path lies under (coordinator namespace)
  std::string relative_path;  // source_path relative to library_root
  std::string plan;         // "" until planned
  std::string plan_override;
  int attempts = 0;
  int64_t size_bytes = 0;
  int resume_from_step = 0;
  std::string resume_reason;
  std::vector<StepRecord> steps;  // as recorded so far (may be empty)
};

}  // namespace mkvfleet::agent
