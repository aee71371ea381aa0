// SimAgent's hand-back paths (see sim_agent.h): ReleaseTask of every Nth job after its first step,
// and of whatever an agent holds when the run stops, audited as pending afterwards.
#include "absl/strings/str_cat.h"
#include "bench/load/sim_agent.h"

namespace mkvfleet::bench {

void SimAgent::SendRelease(absl::Time /*scheduled*/) {
  v1::ReleaseTaskRequest req;
  {
    absl::MutexLock lock(&mu_);
    req.set_lease_id(job_->lease_id);
    req.set_task_id(job_->task_id);
    job_->ending = true;
    fleet_.ledger->OnReleasing(job_->job_id, job_->lease_id);
  }
  req.set_reason("load_bench: handing the job back");
  CallAsync<v1::ReleaseTaskRequest, v1::ReleaseTaskResponse>(
      fleet_.sink, RpcKind::kReleaseTask, std::move(req),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->ReleaseTask(c, q, r, cb); },
      [this](const grpc::Status& s, const v1::ReleaseTaskResponse&) {
        {
          absl::MutexLock lock(&mu_);
          if (!s.ok() && !IsTimeout(s) && job_.has_value() && !job_->uncertain) {
            fleet_.unexpected.fetch_add(1);
            fleet_.ledger->AddViolation(absl::StrCat("agent ", name_, " ReleaseTask job ",
                                                     job_->job_id, ": ", s.error_message()));
          }
          job_.reset();
        }
        Next(Work::kClaim, absl::Now());
      });
}

void SimAgent::ReleaseHeld() {
  v1::ReleaseTaskRequest req;
  int64_t job_id = 0;
  bool uncertain = false;
  {
    absl::MutexLock lock(&mu_);
    if (!job_.has_value() || job_->lost) return;
    job_id = job_->job_id;
    uncertain = job_->uncertain;
    req.set_lease_id(job_->lease_id);
    req.set_task_id(job_->task_id);
    fleet_.ledger->OnReleasing(job_id, job_->lease_id);
    job_.reset();
  }
  req.set_reason("load_bench stopping");
  CallAsync<v1::ReleaseTaskRequest, v1::ReleaseTaskResponse>(
      fleet_.sink, RpcKind::kReleaseTask, std::move(req),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->ReleaseTask(c, q, r, cb); },
      [this, job_id, uncertain](const grpc::Status& s, const v1::ReleaseTaskResponse&) {
        if (s.ok()) {
          fleet_.auditor->Submit(JobExpectation{job_id, false, name_, "", 0});
        } else if (!uncertain && !IsTimeout(s)) {
          fleet_.unexpected.fetch_add(1);
          fleet_.ledger->AddViolation(absl::StrCat("agent ", name_, " final ReleaseTask job ",
                                                   job_id, ": ", s.error_message()));
        }
      });
}

}  // namespace mkvfleet::bench
