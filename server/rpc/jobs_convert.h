// proto <-> domain for the shared job model (mkvfleet/v1/jobs.proto). The only place, with
// agent_convert and admin_convert, where generated types meet the domain.
#pragma once

#include "mkvfleet/v1/jobs.pb.h"
#include "server/jobs/job_model.h"

namespace mkvfleet::server {

v1::JobState ToProto(JobState state);
bool FromProto(v1::JobState state, JobState* out);  // false for UNSPECIFIED/unknown

void ToProto(const Progress& in, v1::Progress* out);
Progress FromProto(const v1::Progress& in);
void ToProto(const Checkpoint& in, v1::Checkpoint* out);
// A chunk with its progress, checkpoint and lease-free facts (the lease id never leaves).
void ToProto(const Chunk& in, v1::Chunk* out);
Checkpoint FromProto(const v1::Checkpoint& in);
// with_steps: GetJob/ClaimJob fill steps; lists leave them out.
void ToProto(const Job& in, bool with_steps, v1::Job* out);
void ToProto(const AgentRecord& in, v1::Agent* out);
AgentCapabilities FromProto(const v1::Capabilities& in);
void ToProto(const LogLine& in, v1::LogLine* out);
LogLine FromProto(const v1::LogLine& in);

}  // namespace mkvfleet::server
