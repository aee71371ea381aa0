// See sim_agent.h.
#include "bench/load/sim_agent.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace mkvfleet::bench {
namespace {

// mkv-agent's retry delays, doubled per failure up to the cap: Register (kReconnectInitial,
// kReconnectMax in agent/agent_daemon.h) and a report that was not delivered
// (agent/coordinator_reporter.cc).
constexpr absl::Duration kRegisterRetryInitial = absl::Milliseconds(250);
constexpr absl::Duration kRegisterRetryMax = absl::Seconds(10);
constexpr absl::Duration kReportRetryInitial = absl::Milliseconds(200);
constexpr absl::Duration kReportRetryMax = absl::Seconds(5);

// The delay to use now, and `delay` doubled (up to `cap`) for the next failure.
absl::Duration Backoff(absl::Duration& delay, absl::Duration initial, absl::Duration cap) {
  if (delay < initial) delay = initial;
  const absl::Duration now = delay;
  delay = std::min(delay * 2, cap);
  return now;
}
constexpr char kPlan[] = "dv-convert";

bool IsRefusal(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
         s.error_code() == grpc::StatusCode::NOT_FOUND;
}

}  // namespace

bool IsTimeout(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
         s.error_code() == grpc::StatusCode::UNAVAILABLE;
}

const std::vector<std::string>& SimulatedSteps() {
  static const std::vector<std::string> steps = {"probe", "plan",   "rpu",    "encode",
                                                 "mux",   "verify", "publish"};
  return steps;
}

SimAgent::SimAgent(std::string name, v1::AgentService::Stub* stub, FleetShared& fleet)
    : name_(std::move(name)), stub_(stub), fleet_(fleet) {}

void SimAgent::Start(absl::Time when) {
  fleet_.timers->RunAt(when, [this](absl::Time) { SendRegister(); });
}

void SimAgent::SendRegister() {
  if (Stopping()) return;
  v1::RegisterRequest req;
  req.set_name(name_);
  req.set_version("load_bench");
  req.mutable_capabilities()->set_threads(1);
  req.mutable_capabilities()->set_free_temp_bytes(int64_t{1} << 40);
  req.mutable_capabilities()->set_work_dir(absl::StrCat("/sim/", name_));
  CallAsync<v1::RegisterRequest, v1::RegisterResponse>(
      fleet_.sink, RpcKind::kRegister, std::move(req),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->Register(c, q, r, cb); },
      [this](const grpc::Status& s, const v1::RegisterResponse&) {
        const absl::Time now = absl::Now();
        if (!s.ok()) {
          if (!IsTimeout(s)) fleet_.unexpected.fetch_add(1);
          absl::Duration wait;
          {
            absl::MutexLock lock(&mu_);
            wait = Backoff(register_retry_, kRegisterRetryInitial, kRegisterRetryMax);
          }
          fleet_.timers->RunAt(now + wait, [this](absl::Time) { SendRegister(); });
          return;
        }
        absl::Duration work_phase;  // agents that started together do not step together
        if (!fleet_.behaviour.saturate) {
          absl::Duration phase;
          {
            absl::MutexLock lock(&mu_);
            phase = absl::Microseconds(absl::Uniform<int64_t>(
                rng_, 0, absl::ToInt64Microseconds(fleet_.behaviour.heartbeat)));
            work_phase = absl::Microseconds(absl::Uniform<int64_t>(
                rng_, 0, absl::ToInt64Microseconds(fleet_.behaviour.step)));
          }
          fleet_.timers->RunAt(now + phase, [this](absl::Time t) { HeartbeatTick(t); });
        }
        Next(Work::kClaim, now + work_phase);
      });
}

void SimAgent::HeartbeatTick(absl::Time scheduled) {
  if (Stopping()) return;
  const absl::Time now = absl::Now();
  fleet_.sink.stats->RecordLag(now - scheduled, scheduled);
  bool busy;
  {
    absl::MutexLock lock(&mu_);
    busy = heartbeat_in_flight_;
  }
  if (busy) {
    fleet_.heartbeats_skipped.fetch_add(1);
  } else {
    SendHeartbeat([] {});
  }
  absl::Time next = scheduled + fleet_.behaviour.heartbeat;
  if (next < now) next = now;  // fell behind: do not burst to catch up
  fleet_.timers->RunAt(next, [this](absl::Time t) { HeartbeatTick(t); });
}

void SimAgent::SendHeartbeat(std::function<void()> then) {
  v1::HeartbeatRequest req;
  req.set_agent(name_);
  req.set_free_temp_bytes(int64_t{1} << 40);
  int64_t job_id = 0;
  {
    absl::MutexLock lock(&mu_);
    heartbeat_in_flight_ = true;
    if (job_.has_value() && !job_->lost) {
      job_id = job_->job_id;
      v1::LeaseProgress* l = req.add_leases();
      l->set_lease_id(job_->lease_id);
      l->set_task_id(job_->task_id);
      const int step = std::min<int>(job_->next_step, SimulatedSteps().size() - 1);
      l->set_step(SimulatedSteps()[step]);
      l->mutable_progress()->set_frames_done(100 * job_->next_step);
      l->mutable_progress()->set_frames_total(100 * SimulatedSteps().size());
    }
  }
  CallAsync<v1::HeartbeatRequest, v1::HeartbeatResponse>(
      fleet_.sink, RpcKind::kHeartbeat, std::move(req),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->Heartbeat(c, q, r, cb); },
      [this, job_id, then = std::move(then)](const grpc::Status& s,
                                             const v1::HeartbeatResponse& resp) {
        {
          absl::MutexLock lock(&mu_);
          heartbeat_in_flight_ = false;
          const bool same_job = job_.has_value() && job_->job_id == job_id && job_id != 0;
          if (s.ok()) {
            for (const auto& [lease, deadline] : resp.renewed_deadlines_ms()) {
              fleet_.ledger->OnRenewed(job_id, lease, deadline);
            }
            for (const std::string& lease : resp.revoked_lease_ids()) {
              if (same_job && lease == job_->lease_id && !job_->lost && !job_->ending) {
                LoseJobLocked("its lease was revoked in a heartbeat reply");
              }
            }
          } else if (IsTimeout(s)) {
            if (same_job) job_->uncertain = true;
          } else {
            fleet_.unexpected.fetch_add(1);
          }
        }
        then();
      });
}

void SimAgent::Next(Work w, absl::Time when) {
  if (Stopping()) return;
  if (!fleet_.behaviour.saturate) {
    fleet_.timers->RunAt(when, [this, w](absl::Time t) { DoWork(w, t); });
    return;
  }
  if (when > absl::Now()) {  // a poll or a retry: wait for it, do not spin
    fleet_.timers->RunAt(when, [this, w](absl::Time t) { DoWork(w, t); });
    return;
  }
  SendHeartbeat([this, w] { DoWork(w, absl::Now()); });
}

void SimAgent::LoseJobLocked(const std::string& why) {
  fleet_.ledger->OnLost(job_->job_id, job_->lease_id);
  if (!job_->uncertain) {
    fleet_.unexpected.fetch_add(1);
    fleet_.ledger->AddViolation(absl::StrCat("agent ", name_, " lost job ", job_->job_id,
                                             " with no timeout to explain it: ", why));
  }
  job_->lost = true;
}

void SimAgent::DoWork(Work w, absl::Time scheduled) {
  if (Stopping()) return;
  if (w == Work::kClaim) {
    v1::ClaimJobRequest req;
    req.set_agent(name_);
    CallAsync<v1::ClaimJobRequest, v1::ClaimJobResponse>(
        fleet_.sink, RpcKind::kClaimJob, std::move(req),
        [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->ClaimJob(c, q, r, cb); },
        [this](const grpc::Status& s, const v1::ClaimJobResponse& resp) {
          const absl::Time poll = absl::Now() + fleet_.behaviour.claim_poll;
          if (!s.ok()) {
            if (!IsTimeout(s)) fleet_.unexpected.fetch_add(1);
            Next(Work::kClaim, poll);
          } else if (!resp.has_task()) {
            fleet_.empty_claims.fetch_add(1);
            Next(Work::kClaim, poll);
          } else {
            OnClaimed(resp);
          }
        });
    return;
  }
  int step = 0;
  bool release = false;
  bool holding = false;
  {
    absl::MutexLock lock(&mu_);
    holding = job_.has_value() && !job_->lost;
    if (holding) {
      step = job_->next_step;
      release = job_->hand_back && step == 1 && w == Work::kFinish;
    } else {
      job_.reset();
    }
  }
  if (!holding) {
    Next(Work::kClaim, absl::Now());
    return;
  }
  switch (w) {
    case Work::kLog: {
      v1::AppendLogRequest req;
      {
        absl::MutexLock lock(&mu_);
        req.set_lease_id(job_->lease_id);
        req.set_task_id(job_->task_id);
      }
      v1::LogLine* line = req.add_lines();
      line->set_time_ms(NowMs());
      line->set_source(name_);
      line->set_level("info");
      line->set_text(absl::StrCat("agent ", name_, " runs pipeline load_bench from step 0"));
      CallAsync<v1::AppendLogRequest, v1::AppendLogResponse>(
          fleet_.sink, RpcKind::kAppendLog, std::move(req),
          [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->AppendLog(c, q, r, cb); },
          [this](const grpc::Status& s, const v1::AppendLogResponse&) {
            {
              absl::MutexLock lock(&mu_);
              if (job_.has_value() && !s.ok()) {
                if (IsTimeout(s)) {
                  job_->uncertain = true;
                } else if (IsRefusal(s)) {
                  LoseJobLocked(absl::StrCat("AppendLog refused: ", s.error_message()));
                } else {
                  fleet_.unexpected.fetch_add(1);
                }
              }
            }
            Next(Work::kStart, absl::Now());  // the first step starts at once
          });
      return;
    }
    case Work::kStart:
      SendReport(step, v1::STEP_EVENT_STARTED, scheduled);
      return;
    case Work::kFinish:
      fleet_.sink.stats->RecordLag(absl::Now() - scheduled, scheduled);
      if (release) {
        SendRelease(scheduled);
      } else {
        SendReport(step, v1::STEP_EVENT_FINISHED, scheduled);
      }
      return;
    case Work::kClaim:
    case Work::kRelease:
      return;
  }
}

void SimAgent::OnClaimed(const v1::ClaimJobResponse& resp) {
  const v1::Task& task = resp.task();
  const int64_t n = fleet_.claims.fetch_add(1) + 1;
  fleet_.ledger->OnClaimed(task.job().id(), name_, task.lease_id(), task.lease_deadline_ms(),
                           NowMs());
  {
    absl::MutexLock lock(&mu_);
    HeldJob job;
    job.job_id = task.job().id();
    job.task_id = task.task_id();
    job.lease_id = task.lease_id();
    job.output_path = task.output_path();
    job.next_step = task.resume_from_step();
    const int release_every = fleet_.behaviour.release_every;
    job.hand_back = release_every > 0 && n % release_every == 0 && job.next_step <= 1;
    if (job.next_step >= static_cast<int>(SimulatedSteps().size())) job.next_step = 0;
    job_ = std::move(job);
  }
  Next(Work::kLog, absl::Now());
}

void SimAgent::SendReport(int step, v1::StepEvent event, absl::Time scheduled) {
  const int last = static_cast<int>(SimulatedSteps().size()) - 1;
  v1::ReportStepRequest req;
  {
    absl::MutexLock lock(&mu_);
    req.set_lease_id(job_->lease_id);
    req.set_task_id(job_->task_id);
    if (event == v1::STEP_EVENT_FINISHED && step == last) {
      job_->ending = true;
      req.set_outcome(v1::TASK_OUTCOME_COMPLETED);
      req.set_output_path(job_->output_path);
    }
  }
  req.set_step_index(step);
  req.set_step_name(SimulatedSteps()[step]);
  req.set_event(event);
  if (event == v1::STEP_EVENT_FINISHED) {
    if (SimulatedSteps()[step] == "plan") req.set_plan(kPlan);
    req.mutable_checkpoint()->mutable_facts()->insert({"load_bench", absl::StrCat(step)});
    req.set_bytes_read(4096);
    req.set_bytes_written(4096);
  }
  CallAsync<v1::ReportStepRequest, v1::ReportStepResponse>(
      fleet_.sink, RpcKind::kReportStep, std::move(req),
      [this](auto* c, auto* q, auto* r, auto cb) { stub_->async()->ReportStep(c, q, r, cb); },
      [this, step, event, scheduled](const grpc::Status& s, const v1::ReportStepResponse& resp) {
        OnReportAnswer(step, event, scheduled, s, resp);
      });
}

void SimAgent::OnReportAnswer(int step, v1::StepEvent event, absl::Time scheduled,
                              const grpc::Status& s, const v1::ReportStepResponse& resp) {
  const int last = static_cast<int>(SimulatedSteps().size()) - 1;
  const absl::Time now = absl::Now();
  Work next = Work::kClaim;
  absl::Time when = now;
  std::optional<JobExpectation> completed;
  {
    absl::MutexLock lock(&mu_);
    if (!job_.has_value() || job_->lost) {
      job_.reset();
    } else if (!s.ok()) {
      if (IsTimeout(s)) {  // as mkv-agent: deliver the same report again shortly
        job_->uncertain = true;
        next = event == v1::STEP_EVENT_STARTED ? Work::kStart : Work::kFinish;
        when = now + Backoff(report_retry_, kReportRetryInitial, kReportRetryMax);
      } else {
        if (IsRefusal(s)) {
          LoseJobLocked(absl::StrCat("ReportStep refused: ", s.error_message()));
        } else {
          fleet_.unexpected.fetch_add(1);
          fleet_.ledger->AddViolation(absl::StrCat("agent ", name_, " ReportStep job ",
                                                   job_->job_id, ": ",
                                                   StatusCodeName(s.error_code()), " ",
                                                   s.error_message()));
        }
        job_.reset();
        when = now + fleet_.behaviour.claim_poll;
      }
    } else {
      report_retry_ = absl::ZeroDuration();
      if (resp.lease_deadline_ms() > 0) {
        fleet_.ledger->OnRenewed(job_->job_id, job_->lease_id, resp.lease_deadline_ms());
      }
      if (event == v1::STEP_EVENT_STARTED) {
        // The step "runs" for one step interval from when it was due to start (not at all when
        // saturating).
        next = Work::kFinish;
        when = fleet_.behaviour.saturate ? now : scheduled + fleet_.behaviour.step;
      } else if (step < last) {
        job_->next_step = step + 1;
        next = Work::kStart;  // chained: due when this finish was due
        when = fleet_.behaviour.saturate ? now : scheduled;
      } else {
        fleet_.ledger->OnCompleted(job_->job_id, job_->lease_id);
        completed = JobExpectation{job_->job_id, true, name_, job_->output_path,
                                   static_cast<int>(SimulatedSteps().size())};
        job_.reset();
      }
    }
  }
  if (completed.has_value()) fleet_.auditor->Submit(*std::move(completed));
  Next(next, when);
}

}  // namespace mkvfleet::bench
