// AdminService message conversion.
#include "server/rpc/admin_convert.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/rpc/jobs_convert.h"

namespace mkvfleet::server {
namespace {
v1::EnqueueOutcome ToProto(EnqueueOutcome o) {
  switch (o) {
    case EnqueueOutcome::kCreated: return v1::ENQUEUE_OUTCOME_CREATED;
    case EnqueueOutcome::kDuplicate: return v1::ENQUEUE_OUTCOME_DUPLICATE;
    case EnqueueOutcome::kRequeued: return v1::ENQUEUE_OUTCOME_REQUEUED;
    case EnqueueOutcome::kRefused: return v1::ENQUEUE_OUTCOME_REFUSED;
    case EnqueueOutcome::kWouldCreate: return v1::ENQUEUE_OUTCOME_WOULD_CREATE;
  }
  return v1::ENQUEUE_OUTCOME_UNSPECIFIED;
}
}  // namespace

void ToProto(const EnqueueRecord& in, v1::EnqueueResult* out) {
  out->set_path(in.path);
  out->set_outcome(ToProto(in.outcome));
  out->set_job_id(in.job_id);
  out->set_reason(in.reason);
}

void ToProto(const std::vector<EnqueueRecord>& in, v1::EnqueueResponse* out) {
  for (const EnqueueRecord& r : in) ToProto(r, out->add_results());
}

JobFilter FromProto(const v1::ListJobsRequest& in) {
  JobFilter f;
  for (int s : in.states()) {
    JobState state;
    if (FromProto(static_cast<v1::JobState>(s), &state)) f.states.push_back(state);
  }
  f.path_contains = in.path_contains();
  f.limit = in.limit();
  if (!in.page_token().empty() && !absl::SimpleAtoi(in.page_token(), &f.after_id)) f.after_id = 0;
  f.newest_first = in.newest_first();
  return f;
}

void ToProto(const JobPage& in, v1::ListJobsResponse* out) {
  for (const Job& job : in.jobs) ToProto(job, /*with_steps=*/false, out->add_jobs());
  out->set_next_page_token(in.next_after_id > 0 ? absl::StrCat(in.next_after_id) : "");
  out->set_total(in.total);
}

void ToProto(const std::map<std::string, int64_t>& counts_by_state, v1::CountJobsResponse* out) {
  for (const auto& [name, count] : counts_by_state) {
    JobState state;
    if (!ParseJobState(name, &state)) continue;
    v1::JobStateCount* c = out->add_counts();
    c->set_state(ToProto(state));
    c->set_count(count);
  }
}

ScanMode FromProto(v1::ScanMode mode) {
  switch (mode) {
    case v1::SCAN_MODE_FILES: return ScanMode::kFiles;
    case v1::SCAN_MODE_TEST_FILE: return ScanMode::kTestFile;
    default: return ScanMode::kFull;
  }
}

void ToProto(const StoreEvent& in, v1::Event* out) {
  out->set_time_ms(in.time_ms);
  switch (in.kind) {
    case StoreEvent::Kind::kJobChanged:
      out->set_kind(v1::EVENT_KIND_JOB_CHANGED);
      ToProto(in.job, /*with_steps=*/true, out->mutable_job());
      break;
    case StoreEvent::Kind::kAgentChanged:
      out->set_kind(v1::EVENT_KIND_AGENT_CHANGED);
      ToProto(in.agent, out->mutable_agent());
      break;
    case StoreEvent::Kind::kLog:
      out->set_kind(v1::EVENT_KIND_LOG);
      out->mutable_job()->set_id(in.job.id);
      ToProto(in.log, out->mutable_log());
      break;
  }
}

}  // namespace mkvfleet::server
