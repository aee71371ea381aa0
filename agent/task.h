// The agent's view of leased work, free of generated protobuf types: a task with its lease, the
// job's recorded steps and their checkpoints. Converted from/to the wire in wire_conversion.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
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

// How the coordinator asks a whole-job task to chunk its encode (jobs.proto ChunkingRequest):
// chunks >= 2 always splits into exactly that many, 1 never, 0 (auto) splits when `agents` >= 2
// and the title is longer than min_seconds.
struct ChunkingRequest {
  int chunks = 0;
  int agents = 0;  // agents that can take chunks now
  double min_seconds = 0;
  int chunks_per_agent = 3;
  double min_chunk_seconds = 60;
  double max_chunk_seconds = 600;
};

// Where a chunk of a chunked re-encode is, as the coordinator recorded it.
enum class ChunkStatus { kPending, kRunning, kDone, kFailed };

// One chunk of a chunked re-encode. In a StepResult only index, first_frame and frames are used.
struct ChunkRecord {
  int index = 0;
  int64_t first_frame = 0;
  int64_t frames = 0;
  ChunkStatus status = ChunkStatus::kPending;
  std::string agent;
  int attempts = 0;
  Checkpoint checkpoint;  // kDone: artifact "chunk" (shared) and its facts
};

// What a chunk task asks: encode chunk `index` of the manifest, nothing else of the job.
struct ChunkAssignment {
  int index = 0;
  int64_t first_frame = 0;
  int64_t frames = 0;
  std::string manifest_path;          // coordinator namespace
  std::string parameter_sets_sha256;  // of the chunks accepted so far, "" before the first
};

// A leased unit of work: a whole job (its steps from resume_from_step on) or one chunk of it.
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
  bool repair_rpus = false;  // the job asks for RPU repair whatever [media] rpu_mismatch says
  int attempts = 0;
  int64_t size_bytes = 0;
  int resume_from_step = 0;
  std::string resume_reason;
  std::vector<StepRecord> steps;  // as recorded so far (may be empty)
  ChunkingRequest chunking;        // whole-job tasks
  std::optional<ChunkAssignment> chunk;  // set for a chunk task
  std::vector<ChunkRecord> chunks;       // a chunked job's chunks (assembling sees them all done)
  std::string chunk_manifest;            // a chunked job's manifest (coordinator namespace)
};

}  // namespace mkvfleet::agent
