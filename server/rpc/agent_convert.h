// proto <-> domain for AgentService requests and replies.
#pragma once

#include <vector>

#include "mkvfleet/v1/agent.pb.h"
#include "server/jobs/job_state_machine.h"
#include "server/store/job_store.h"

namespace mkvfleet::server {

StepReport FromProto(const v1::ReportStepRequest& in);
std::vector<LeaseRenewal> FromProto(const v1::HeartbeatRequest& in);
std::vector<LogLine> FromProto(const v1::AppendLogRequest& in);
void ToProto(const ClaimedTask& in, v1::Task* out);
void ToProto(const HeartbeatResult& in, int64_t now_ms, v1::HeartbeatResponse* out);

}  // namespace mkvfleet::server
