// The simulated burst agent (see the header).
#include "tests/integration/coordinator/burst_agent.h"

#include "absl/strings/str_cat.h"
#include "tests/integration/coordinator/coordinator_process.h"

namespace mkvfleet::server {
namespace {

constexpr int kStep = 0;
constexpr char kStepName[] = "convert";

// One agent's run: each method sends one RPC and returns false when the loop must stop.
class BurstAgent {
 public:
  BurstAgent(v1::AgentService::Stub& stub, AgentLedger& ledger, BurstSignals& signals)
      : stub_(stub), ledger_(ledger), signals_(signals) {}

  void Run() {
    while (true) {
      if (!ledger_.held.has_value()) {
        bool found = false;
        if (!Claim(found) || !found) return;
      }
      if (!Heartbeat()) return;
      if (!ledger_.held_started && !Report(v1::STEP_EVENT_STARTED)) return;
      if (!Report(v1::STEP_EVENT_FINISHED)) return;
    }
  }

 private:
  // A failed RPC: the kill's when dying (a durable one is then unanswered), else an error.
  bool Failed(const char* rpc, const grpc::Status& st, Unanswered op) {
    if (signals_.dying.load()) {
      ledger_.unanswered = op;
    } else {
      Error(absl::StrCat(rpc, " failed: code ", st.error_code(), " ", st.error_message()));
    }
    return false;
  }

  // Counts an acknowledged claim or report; the kill_at-th kills the coordinator.
  void Acknowledged() {
    if (++signals_.acked == signals_.kill_at) {
      signals_.dying = true;
      signals_.kill();
    }
  }

  bool Error(const std::string& what) {
    ledger_.errors.push_back(absl::StrCat(ledger_.name, ": ", what));
    return false;
  }

  bool Claim(bool& found) {
    v1::ClaimJobRequest req;
    req.set_agent(ledger_.name);
    v1::ClaimJobResponse resp;
    grpc::Status st = stub_.ClaimJob(Ctx().get(), req, &resp);
    if (!st.ok()) return Failed("ClaimJob", st, Unanswered::kClaim);
    found = resp.has_task();
    if (!found) return true;
    const v1::Task& t = resp.task();
    if (t.job().id() <= 0 || t.task_id() <= 0 || t.lease_id().empty() ||
        t.job().state() != v1::JOB_STATE_RUNNING || t.has_chunk()) {
      return Error(absl::StrCat("ClaimJob answered a malformed task: ", t.ShortDebugString()));
    }
    ledger_.held = AckedClaim{t.job().id(), t.task_id(), t.lease_id()};
    ledger_.held_started = false;
    ledger_.claims.push_back(*ledger_.held);
    Acknowledged();
    return true;
  }

  // Heartbeats are kept in memory (not durable): a lost answer leaves nothing unanswered.
  bool Heartbeat() {
    v1::HeartbeatRequest req;
    req.set_agent(ledger_.name);
    v1::LeaseProgress* l = req.add_leases();
    l->set_lease_id(ledger_.held->lease_id);
    l->set_task_id(ledger_.held->task_id);
    l->set_step(kStepName);
    v1::HeartbeatResponse resp;
    grpc::Status st = stub_.Heartbeat(Ctx().get(), req, &resp);
    if (!st.ok()) return Failed("Heartbeat", st, Unanswered::kNone);
    if (resp.revoked_lease_ids_size() != 0 ||
        resp.renewed_deadlines_ms().count(ledger_.held->lease_id) != 1) {
      return Error(absl::StrCat("Heartbeat did not renew the held lease on job ",
                                ledger_.held->job_id, ": ", resp.ShortDebugString()));
    }
    return true;
  }

  bool Report(v1::StepEvent event) {
    const AckedClaim held = *ledger_.held;
    const bool finish = event == v1::STEP_EVENT_FINISHED;
    v1::ReportStepRequest req;
    req.set_lease_id(held.lease_id);
    req.set_task_id(held.task_id);
    req.set_step_index(kStep);
    req.set_step_name(kStepName);
    req.set_event(event);
    if (finish) {
      req.set_outcome(v1::TASK_OUTCOME_COMPLETED);
      req.set_output_path(OutputFor(held.lease_id));
    }
    v1::ReportStepResponse resp;
    grpc::Status st = stub_.ReportStep(Ctx().get(), req, &resp);
    if (!st.ok()) {
      return Failed("ReportStep", st, finish ? Unanswered::kFinished : Unanswered::kStarted);
    }
    const v1::JobState want = finish ? v1::JOB_STATE_COMPLETED : v1::JOB_STATE_RUNNING;
    if (resp.job_state() != want) {
      return Error(absl::StrCat("ReportStep on job ", held.job_id, " answered state ",
                                v1::JobState_Name(resp.job_state())));
    }
    if (finish) {
      ledger_.completed.push_back(held.job_id);
      ledger_.held.reset();
    } else {
      ledger_.started.push_back(held.job_id);
      ledger_.held_started = true;
    }
    Acknowledged();
    return true;
  }

  v1::AgentService::Stub& stub_;
  AgentLedger& ledger_;
  BurstSignals& signals_;
};

}  // namespace

std::string OutputFor(const std::string& lease_id) {
  return absl::StrCat("/published/", lease_id, ".mkv");
}

void RunBurstAgent(v1::AgentService::Stub& stub, AgentLedger& ledger, BurstSignals& signals) {
  BurstAgent(stub, ledger, signals).Run();
}

}  // namespace mkvfleet::server
