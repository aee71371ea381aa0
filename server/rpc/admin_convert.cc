// AdminService message conversion.
#include "server/rpc/admin_convert.h"

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

void ToProto(const std::vector<EnqueueRecord>& in, v1::EnqueueResponse* out) {
  for (const EnqueueRecord& r : in) {
    auto* p = out->add_results();
    p->set_path(r.path);
    p->set_outcome(ToProto(r.outcome));
    p->set_job_id(r.job_id);
    p->set_reason(r.reason);
  }
}

JobFilter FromProto(const v1::ListJobsRequest& in) {
  JobFilter f;
  for (int s : in.states()) {
    JobState state;
    if (FromProto(static_cast<v1::JobState>(s), &state)) f.states.push_back(state);
  }
  f.path_contains = in.path_contains();
  f.limit = in.limit();
  return f;
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
