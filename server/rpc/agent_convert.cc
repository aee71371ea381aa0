// AgentService message conversion.
#include "server/rpc/agent_convert.h"

#include "server/jobs/chunk_rules.h"
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
    case v1::TASK_OUTCOME_CHUNKED: r.outcome = TaskOutcome::kChunked; break;
    default: r.outcome = TaskOutcome::kNone; break;
  }
  r.output_path = in.output_path();
  r.reason = in.reason();
  r.plan = in.plan();
  r.bytes_read = in.bytes_read();
  r.bytes_written = in.bytes_written();
  for (const v1::Chunk& c : in.chunks()) {
    Chunk range;
    range.index = c.index();
    range.first_frame = c.first_frame();
    range.frames = c.frames();
    r.chunks.push_back(range);
  }
  r.chunk_manifest = in.chunk_manifest();
  r.redo_chunks.assign(in.redo_chunks().begin(), in.redo_chunks().end());
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

namespace {

// A chunk task: run only chunk `index`; its lease, and the parameter sets it must match.
void ChunkToProto(const ClaimedTask& in, v1::Task* out) {
  const Job& job = in.job;
  const Chunk& chunk = job.chunks[in.chunk_index];
  out->set_task_id(chunk.task.id);
  out->set_lease_id(chunk.task.lease.id);
  out->set_lease_deadline_ms(chunk.task.lease.deadline_ms);
  v1::ChunkAssignment* a = out->mutable_chunk();
  a->set_index(chunk.index);
  a->set_first_frame(chunk.first_frame);
  a->set_frames(chunk.frames);
  a->set_manifest_path(job.chunk_manifest);
  a->set_parameter_sets_sha256(AcceptedParameterSets(job));
}

// A whole-job task: how the coordinator asks its encode step to chunk.
void ChunkingToProto(const ClaimedTask& in, v1::ChunkingRequest* out) {
  out->set_chunks(in.job.chunks_requested);
  out->set_agents(in.chunk_agents);
  out->set_min_seconds(in.chunking.min_seconds);
  out->set_chunks_per_agent(in.chunking.chunks_per_agent);
  out->set_min_chunk_seconds(in.chunking.min_chunk_seconds);
  out->set_max_chunk_seconds(in.chunking.max_chunk_seconds);
}

}  // namespace

void ToProto(const ClaimedTask& in, v1::Task* out) {
  const Job& job = in.job;
  ToProto(job, /*with_steps=*/true, out->mutable_job());
  if (in.chunk_index >= 0) {
    ChunkToProto(in, out);
  } else {
    out->set_task_id(job.task.id);
    out->set_lease_id(job.task.lease.id);
    out->set_lease_deadline_ms(job.task.lease.deadline_ms);
    ChunkingToProto(in, out->mutable_chunking());
  }
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
