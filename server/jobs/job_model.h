// The coordinator's domain types: jobs, their steps and checkpoints, the task that carries the
// lease, agents and log lines. Plain values; no generated protobuf types appear here (conversion
// lives in *_convert.cc next to each service). Times are Unix milliseconds (UTC).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mkvfleet::server {

enum class JobState {
  kPending,          // waiting for an agent (new, lease expired, released, reset)
  kRunning,          // leased to an agent
  kCompleted,        // output published (terminal)
  kSkipped,          // nothing to do; reason in Job::error (terminal)
  kFailed,           // retryable failure; claimable again from Job::not_before_ms
  kFailedPermanent,  // out of attempts or not retryable; only Reset revives it (terminal)
  kCancelled,        // stopped by an admin; only Reset revives it (terminal)
};

// Spelling used in the database, logs and mkvctl: "pending", "failed_permanent", ...
const char* JobStateName(JobState state);
// Inverse of JobStateName; false for an unknown name.
bool ParseJobState(const std::string& name, JobState* out);
// Completed, skipped, failed_permanent, cancelled.
bool IsTerminal(JobState state);

enum class StepState { kPending, kRunning, kDone, kFailed, kSkipped };
const char* StepStateName(StepState state);
bool ParseStepState(const std::string& name, StepState* out);

enum class ArtifactLocation {
  kAgentLocal,  // in the producing agent's work dir: only that agent can reuse it
  kShared,      // in a work dir every agent mounts
};

struct Artifact {
  std::string name;
  std::string path;
  ArtifactLocation location = ArtifactLocation::kAgentLocal;
  std::string agent;  // producer
  int64_t size_bytes = 0;
};

// What a finished step leaves for later steps and later attempts.
struct Checkpoint {
  std::vector<Artifact> artifacts;
  std::map<std::string, std::string> facts;
};

struct Progress {
  int64_t frames_done = 0;
  int64_t frames_total = 0;
  double fps = 0;
  int64_t eta_ms = 0;
};

struct StepRecord {
  int index = 0;
  std::string name;
  StepState state = StepState::kPending;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  Progress progress;
  Checkpoint checkpoint;
  std::string agent;
  std::string message;
};

// A lease on a task. Empty id = no lease.
struct Lease {
  std::string id;
  std::string agent;
  int64_t deadline_ms = 0;
};

// A unit of work of a job, leased to one agent: the whole job, or one chunk of its encode.
struct Task {
  int64_t id = 0;
  Lease lease;
};

// Where one chunk of a chunked re-encode is (see chunk_rules.h for the transitions).
enum class ChunkState {
  kPending,  // waiting for an agent with a shared work dir
  kRunning,  // leased to an agent
  kDone,     // encoded, checked and accepted
  kFailed,   // the last attempt failed; claimable again from Chunk::not_before_ms
};
// Spelling used in the database, logs and mkvctl: "pending", "running", "done", "failed".
const char* ChunkStateName(ChunkState state);
// Inverse of ChunkStateName; false for an unknown name.
bool ParseChunkState(const std::string& name, ChunkState* out);

// One chunk of a chunked re-encode: a frame range any agent encodes under its own lease.
struct Chunk {
  int index = 0;
  int64_t first_frame = 0;
  int64_t frames = 0;
  ChunkState state = ChunkState::kPending;
  std::string agent;  // holder of the lease, or last runner
  int attempts = 0;   // claims so far (a released lease is not counted)
  Progress progress;
  std::string error;  // why the last attempt failed
  Checkpoint checkpoint;  // kDone: the chunk file (artifact "chunk") and its facts
  Task task;              // the task row carrying the chunk's lease
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  int64_t not_before_ms = 0;  // kFailed: earliest retry
};

struct Job {
  int64_t id = 0;
  std::string path;          // canonical source path (coordinator namespace)
  std::string library_root;  // the configured root `path` lies under
  std::string output_path;   // where the agent should publish (computed at enqueue)
  JobState state = JobState::kPending;
  std::string step;          // current or last step name
  int attempts = 0;          // claims so far (a released lease is not counted)
  int max_attempts = 0;
  std::string error;         // last error, or the skip reason
  std::string output;        // published output, once there is one
  std::string plan;
  std::string plan_override;
  std::string agent;         // holder of the lease, or last runner
  int64_t size_bytes = 0;
  int64_t mtime_ms = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t not_before_ms = 0;  // kFailed: earliest retry
  Progress progress;
  Task task;
  std::vector<StepRecord> steps;  // sorted by index
  int chunks_requested = 0;       // 0 = auto, 1 = never, N >= 2 = exactly N chunks
  std::string chunk_manifest;     // a chunked job's manifest (coordinator namespace), else ""
  bool repair_rpus = false;       // repair RPU/frame mismatches whatever the agents' policy
  std::vector<Chunk> chunks;      // a chunked job's chunks, in index order
};

enum class AgentStatus { kIdle, kBusy, kDraining, kStale };
const char* AgentStatusName(AgentStatus status);

struct Tool {
  std::string name;
  std::string version;
  std::string path;
};

struct AgentCapabilities {
  std::vector<Tool> tools;
  int threads = 0;
  int64_t free_temp_bytes = 0;
  std::string work_dir;
  std::string shared_work_dir;
};

struct AgentRecord {
  std::string name;
  std::string version;
  AgentCapabilities capabilities;
  bool drained = false;
  bool stale = false;  // no heartbeat for longer than the lease duration (set by the reaper)
  int64_t registered_ms = 0;
  int64_t last_heartbeat_ms = 0;
  int64_t current_job_id = 0;  // a job this agent holds a lease on, 0 = none
  Progress progress;
  // Which agent installation registered the name last (RegisterRequest.instance_id); in memory
  // only: "" after a coordinator restart until the agent registers again.
  std::string instance_id;
};

// Derived status shown to admins: stale > draining > busy > idle.
AgentStatus StatusOf(const AgentRecord& agent);

struct LogLine {
  int64_t time_ms = 0;
  std::string source;  // "coordinator" or an agent name
  std::string level;   // "info", "warn", "error"
  std::string text;
};

}  // namespace mkvfleet::server
