// See job_auditor.h.
#include "bench/load/job_auditor.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace mkvfleet::bench {

JobAuditor::JobAuditor(std::shared_ptr<grpc::Channel> channel, CallSink sink,
                       LeaseTracker& ledger, bool recycle, int max_in_flight)
    : stub_(v1::AdminService::NewStub(channel)),
      sink_(sink),
      ledger_(ledger),
      recycle_(recycle),
      max_in_flight_(max_in_flight) {}

void JobAuditor::Submit(JobExpectation expectation) {
  {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(expectation));
  }
  Pump();
}

void JobAuditor::Pump() {
  std::vector<JobExpectation> batch;
  {
    absl::MutexLock lock(&mu_);
    while (busy_ < max_in_flight_ && !queue_.empty()) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
      ++busy_;
    }
  }
  // Sent outside the lock: a callback may run before CallAsync returns.
  for (JobExpectation& e : batch) {
    v1::GetJobRequest req;
    req.set_id(e.job_id);
    auto* stub = stub_.get();
    CallAsync<v1::GetJobRequest, v1::Job>(
        sink_, RpcKind::kGetJob, std::move(req),
        [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->GetJob(c, q, r, cb); },
        [this, e](const grpc::Status& s, const v1::Job& job) {
          if (!s.ok()) {
            absl::MutexLock lock(&mu_);
            ++summary_.unanswered;
          } else {
            Check(e, job);
          }
          Finished();
        });
  }
}

void JobAuditor::Finished() {
  {
    absl::MutexLock lock(&mu_);
    --busy_;
  }
  Pump();
}

void JobAuditor::Check(const JobExpectation& e, const v1::Job& job) {
  std::string wrong;
  if (e.completed) {
    int done = 0;
    for (const v1::Step& s : job.steps()) done += s.state() == v1::STEP_STATE_DONE ? 1 : 0;
    if (job.state() != v1::JOB_STATE_COMPLETED) {
      wrong = absl::StrCat("is ", v1::JobState_Name(job.state()), ", not completed");
    } else if (job.agent() != e.agent) {
      wrong = absl::StrCat("was completed by ", job.agent(), ", not ", e.agent);
    } else if (job.output() != e.output) {
      wrong = absl::StrCat("has output '", job.output(), "', not '", e.output, "'");
    } else if (job.steps_size() != e.steps || done != e.steps) {
      wrong = absl::StrCat("has ", done, " of ", job.steps_size(), " steps done, not ", e.steps);
    }
  } else if (job.state() != v1::JOB_STATE_PENDING) {
    wrong = absl::StrCat("is ", v1::JobState_Name(job.state()), " after its lease was handed back",
                         ", not pending");
  }
  {
    absl::MutexLock lock(&mu_);
    ++summary_.audited;
    if (!wrong.empty()) ++summary_.mismatches;
  }
  if (!wrong.empty()) {
    ledger_.AddViolation(absl::StrCat("audit: job ", e.job_id, " ", wrong));
    return;
  }
  if (!e.completed || !recycle_) return;
  ledger_.OnReset(e.job_id);
  {
    absl::MutexLock lock(&mu_);
    ++busy_;
  }
  v1::ResetJobRequest req;
  req.set_id(e.job_id);
  auto* stub = stub_.get();
  CallAsync<v1::ResetJobRequest, v1::Job>(
      sink_, RpcKind::kResetJob, std::move(req),
      [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->ResetJob(c, q, r, cb); },
      [this](const grpc::Status&, const v1::Job&) { Finished(); });
}

void JobAuditor::Drain() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(this, &JobAuditor::Idle));
}

AuditSummary JobAuditor::Summary() const {
  absl::MutexLock lock(&mu_);
  return summary_;
}

}  // namespace mkvfleet::bench
