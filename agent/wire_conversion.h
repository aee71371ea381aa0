// Conversion between the agent's domain types (task.h) and generated mkvfleet.v1 messages. The only
// place in agent/ besides coordinator_client.cc that sees protobuf types.
#pragma once

#include "agent/task.h"
#include "mkvfleet/v1/jobs.pb.h"

namespace mkvfleet::agent {

Task TaskFromProto(const v1::Task& task);
Progress ProgressFromProto(const v1::Progress& p);
void ProgressToProto(const Progress& p, v1::Progress* out);
Checkpoint CheckpointFromProto(const v1::Checkpoint& c);
void CheckpointToProto(const Checkpoint& c, v1::Checkpoint* out);

}  // namespace mkvfleet::agent
