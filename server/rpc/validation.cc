// Request validation for the agent and admin APIs.
#include "server/rpc/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "server/constants.h"

namespace mkvfleet::server::validation {
namespace {

constexpr int kMaxPathsPerRequest = 10000;
constexpr int kMaxLogLinesPerRequest = 1000;
constexpr int kMaxLeasesPerHeartbeat = 64;

absl::Status Invalid(absl::string_view what) { return absl::InvalidArgumentError(what); }

absl::Status ValidateLease(const std::string& lease_id, int64_t task_id) {
  if (lease_id.empty()) return Invalid("lease_id is required");
  if (task_id <= 0) return Invalid("task_id must be positive");
  return absl::OkStatus();
}

absl::Status ValidateJobId(int64_t id) {
  if (id <= 0) return Invalid(absl::StrCat("job id must be positive, got ", id));
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAgentName(const std::string& name) {
  if (name.empty()) return Invalid("agent name is required");
  if (name.size() > 128) return Invalid("agent name is longer than 128 characters");
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return Invalid(absl::StrCat("agent name '", name, "' may only use A-Z a-z 0-9 . _ -"));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::RegisterRequest& r) {
  RETURN_IF_ERROR(ValidateAgentName(r.name()));
  if (r.capabilities().threads() < 0) return Invalid("capabilities.threads is negative");
  // Same alphabet and length as a name; empty = an agent that sends none.
  if (!r.instance_id().empty() && !ValidateAgentName(r.instance_id()).ok()) {
    return Invalid("instance_id may only use A-Z a-z 0-9 . _ - (at most 128 characters)");
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::ClaimJobRequest& r) { return ValidateAgentName(r.agent()); }

absl::Status Validate(const v1::HeartbeatRequest& r) {
  RETURN_IF_ERROR(ValidateAgentName(r.agent()));
  if (r.leases_size() > kMaxLeasesPerHeartbeat) return Invalid("too many leases in one heartbeat");
  for (const auto& l : r.leases()) {
    RETURN_IF_ERROR(ValidateLease(l.lease_id(), l.task_id()));
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::ReportStepRequest& r) {
  RETURN_IF_ERROR(ValidateLease(r.lease_id(), r.task_id()));
  if (r.step_index() < 0) return Invalid("step_index must be >= 0");
  if (r.step_name().empty()) return Invalid("step_name is required");
  if (r.bytes_read() < 0 || r.bytes_written() < 0) {
    return Invalid("bytes_read and bytes_written must be >= 0");
  }
  switch (r.event()) {
    case v1::STEP_EVENT_STARTED:
    case v1::STEP_EVENT_PROGRESS:
      break;
    case v1::STEP_EVENT_FINISHED:
      if (r.outcome() == v1::TASK_OUTCOME_COMPLETED && r.output_path().empty()) {
        return Invalid("outcome COMPLETED needs output_path (the published file)");
      }
      if (r.outcome() == v1::TASK_OUTCOME_SKIPPED && r.reason().empty()) {
        return Invalid("outcome SKIPPED needs a reason");
      }
      if (r.outcome() == v1::TASK_OUTCOME_CHUNKED &&
          (r.chunks_size() < 2 || r.chunks_size() > kMaxChunksPerJob ||
           r.chunk_manifest().empty())) {
        return Invalid(absl::StrCat("outcome CHUNKED needs 2..", kMaxChunksPerJob,
                                    " chunks and the chunk_manifest"));
      }
      break;
    case v1::STEP_EVENT_FAILED:
      if (r.error().empty()) return Invalid("event FAILED needs an error saying what went wrong");
      break;
    default:
      return Invalid("event must be STARTED, PROGRESS, FINISHED or FAILED");
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::AppendLogRequest& r) {
  RETURN_IF_ERROR(ValidateLease(r.lease_id(), r.task_id()));
  if (r.lines_size() > kMaxLogLinesPerRequest) {
    return Invalid(absl::StrCat("at most ", kMaxLogLinesPerRequest, " log lines per call"));
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::ReleaseTaskRequest& r) {
  return ValidateLease(r.lease_id(), r.task_id());
}

absl::Status Validate(const v1::EnqueueRequest& r) {
  if (r.paths_size() == 0) return Invalid("no paths to enqueue");
  if (r.paths_size() > kMaxPathsPerRequest) {
    return Invalid(absl::StrCat("at most ", kMaxPathsPerRequest, " paths per call"));
  }
  if (r.chunks() < 0 || r.chunks() > kMaxChunksPerJob) {
    return Invalid(absl::StrCat("chunks must be 0 (auto), 1 (never) or 2..", kMaxChunksPerJob,
                                ", got ", r.chunks()));
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::ScanRequest& r) {
  switch (r.mode()) {
    case v1::SCAN_MODE_FULL:
    case v1::SCAN_MODE_TEST_FILE:
      if (r.paths_size() != 0) return Invalid("paths are only taken by SCAN_MODE_FILES");
      return absl::OkStatus();
    case v1::SCAN_MODE_FILES:
      if (r.paths_size() == 0) return Invalid("SCAN_MODE_FILES needs at least one path");
      if (r.paths_size() > kMaxPathsPerRequest) return Invalid("too many paths");
      return absl::OkStatus();
    default:
      return Invalid("scan mode must be FULL, FILES or TEST_FILE");
  }
}

absl::Status Validate(const v1::ListJobsRequest& r) {
  if (r.limit() < 0) return Invalid("limit must be >= 0");
  int64_t after_id = 0;
  if (!r.page_token().empty() && (!absl::SimpleAtoi(r.page_token(), &after_id) || after_id <= 0)) {
    return Invalid(absl::StrCat("page_token \"", r.page_token(),
                                "\" is not one this coordinator handed out: pass next_page_token "
                                "of the previous reply, or \"\" for the first page"));
  }
  for (int s : r.states()) {
    if (s == v1::JOB_STATE_UNSPECIFIED || !v1::JobState_IsValid(s)) {
      return Invalid(absl::StrCat("unknown job state ", s, " in filter"));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::GetJobRequest& r) { return ValidateJobId(r.id()); }

absl::Status Validate(const v1::GetJobLogRequest& r) {
  if (r.tail() < 0) return Invalid("tail must be >= 0");
  return ValidateJobId(r.id());
}

absl::Status Validate(const v1::ResetJobRequest& r) {
  if (r.from_step() < 0) return Invalid("from_step must be >= 0");
  return ValidateJobId(r.id());
}

absl::Status Validate(const v1::CancelJobRequest& r) { return ValidateJobId(r.id()); }

absl::Status Validate(const v1::DrainAgentRequest& r) { return ValidateAgentName(r.name()); }

absl::Status Validate(const v1::WatchEventsRequest& r) {
  if (r.job_id() < 0) return Invalid("job_id must be >= 0");
  return absl::OkStatus();
}

}  // namespace mkvfleet::server::validation
