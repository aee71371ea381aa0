// Pure request checks, called first in every RPC handler (after auth) so the store only sees
// well-formed requests. Each returns OK or InvalidArgument with a message naming the bad field.
#pragma once

#include "absl/status/status.h"
#include "mkvfleet/v1/admin.pb.h"
#include "mkvfleet/v1/agent.pb.h"

namespace mkvfleet::server::validation {

// Agent names: 1..128 characters of [A-Za-z0-9._-].
absl::Status ValidateAgentName(const std::string& name);

absl::Status Validate(const v1::RegisterRequest& r);
absl::Status Validate(const v1::ClaimJobRequest& r);
absl::Status Validate(const v1::HeartbeatRequest& r);
absl::Status Validate(const v1::ReportStepRequest& r);
absl::Status Validate(const v1::AppendLogRequest& r);
absl::Status Validate(const v1::ReleaseTaskRequest& r);

absl::Status Validate(const v1::EnqueueRequest& r);
absl::Status Validate(const v1::ScanRequest& r);
absl::Status Validate(const v1::ListJobsRequest& r);
inline absl::Status Validate(const v1::CountJobsRequest&) { return absl::OkStatus(); }
absl::Status Validate(const v1::GetJobRequest& r);
absl::Status Validate(const v1::GetJobLogRequest& r);
absl::Status Validate(const v1::ResetJobRequest& r);
absl::Status Validate(const v1::CancelJobRequest& r);
absl::Status Validate(const v1::DrainAgentRequest& r);
absl::Status Validate(const v1::WatchEventsRequest& r);

}  // namespace mkvfleet::server::validation
