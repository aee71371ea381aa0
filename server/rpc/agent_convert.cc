// AgentService message conversion.
#include "server/rpc/agent_convert.h"

#include "server/rpc/jobs_convert.h"

namespace mkvfleet::server {

StepReport FromProto(const v1::ReportStepRequest& in) {
  StepReport r;
  r.lease_id = in.lease_id();
  r.step_index = in.step_index();
  r.step_name = in.step_name();
  switch (in.event()) {
    case v1::STEP_EVENT_PROGRESS: r.event = StepEvent::kProgress; break;
    case v1::STEP_EVENT_FINISHED: r.event = StepEvent::kFinished; break;
    case v1::STEP_EVENT_FAILED: r.event = StepEvent::kFailed; break;
    default: r.event = StepEvent::kStarted; break;
  }
  r.progress = FromProto(in.progress());
  r.checkpoint = FromProto(in.checkpoint());
  r.error = in.error();
  r.retryable = in.retryable();
  switch (in.outcome()) {
    case v1::TASK_OUTCOME_COMPLETED: r.outcome = TaskOutcome::kCompleted; break;
    case v1::TASK_OUTCOME_SKIPPED: r.outcome = TaskOutcome::kSkipped; break;
    default: r.outcome = TaskOutcome::kNone; break;
  }
  r.output_path = in.output_path();
  r.reason = in.reason();
  r.plan = in.plan();
  r.bytes_read = in.bytes_read();
  r.bytes_written = in.bytes_written();
  return r;
}

std::vector<LeaseRenewal> FromProto(const v1::HeartbeatRequest& in) {
  std::vector<LeaseRenewal> out;
  for (const auto& l : in.leases()) {
    out.push_back({l.lease_id(), l.task_id(), FromProto(l.progress())});
  }
  return out;
}

std::vector<LogLine> FromProto(const v1::AppendLogRequest& in) {
  std::vector<LogLine> out;
  for (const auto& l : in.lines()) out.push_back(FromProto(l));
  return out;
}

void ToProto(const ClaimedTask& in, v1::Task* out) {
  const Job& job = in.job;
  out->set_task_id(job.task.id);
  ToProto(job, /*with_steps=*/true, out->mutable_job());
  out->set_lease_id(job.task.lease.id);
  out->set_lease_deadline_ms(job.task.lease.deadline_ms);
  out->set_resume_from_step(in.resume.from_step);
  out->set_resume_reason(in.resume.reason);
  out->set_output_path(job.output_path);
  out->set_library_root(job.library_root);
  std::string relative = job.path;
  if (!job.library_root.empty() && job.path.rfind(job.library_root, 0) == 0) {
    relative = job.path.substr(job.library_root.size());
    while (!relative.empty() && relative[0] == '/') relative.erase(0, 1);
  }
  out->set_relative_path(relative);
}

void ToProto(const HeartbeatResult& in, int64_t now_ms, v1::HeartbeatResponse* out) {
  for (const auto& [lease, deadline] : in.renewed_deadlines_ms) {
    (*out->mutable_renewed_deadlines_ms())[lease] = deadline;
  }
  for (const auto& lease : in.revoked_lease_ids) out->add_revoked_lease_ids(lease);
  out->set_drained(in.drained);
  out->set_server_time_ms(now_ms);
}

}  // namespace mkvfleet::server
