// Conversion between the agent's domain types (task.h, pipeline.h) and generated mkvfleet.v1
// messages. The only place in agent/ besides coordinator_client.cc that sees protobuf types.
#pragma once

#include "agent/pipeline.h"
#include "agent/task.h"
#include "mkvfleet/v1/agent.pb.h"
#include "mkvfleet/v1/jobs.pb.h"

namespace mkvfleet::agent {

// The whole task: lease, job, recorded steps, and the chunk fields (chunking request, chunk
// assignment when `chunk` is set, the job's chunks with their checkpoints, its manifest).
Task TaskFromProto(const v1::Task& task);
Progress ProgressFromProto(const v1::Progress& p);
void ProgressToProto(const Progress& p, v1::Progress* out);
Checkpoint CheckpointFromProto(const v1::Checkpoint& c);
void CheckpointToProto(const Checkpoint& c, v1::Checkpoint* out);
ChunkRecord ChunkFromProto(const v1::Chunk& c);

// The FINISHED fields of a step report: checkpoint, outcome, output_path, reason, plan and, for
// kChunked, the chunk ranges (index, first_frame, frames) and chunk_manifest. Paths are copied
// as they are (the step runner has already put them in the coordinator's namespace).
void StepResultToProto(const StepResult& result, v1::ReportStepRequest* out);

}  // namespace mkvfleet::agent
