// One simulated agent speaking the agent API the way mkv-agent does (agent/agent_daemon.cc,
// lease_keeper.cc, coordinator_reporter.cc): Register; ClaimJob; AppendLog (the run's first line);
// per step ReportStep STARTED then FINISHED (the last with outcome COMPLETED and the task's output
// path, the plan step naming the plan); Heartbeat carrying the lease and its progress; ReleaseTask
// when it hands a job back. It holds no thread: every call is asynchronous, ticks come from the
// shared TimerQueue, so a thousand agents run on a few threads.
//
// Open mode: heartbeats every `heartbeat` and a step report pair every `step`, on a fixed schedule
// (a tick whose previous call has not returned waits for it; the delay is recorded as lag).
// Saturate mode: no waiting at all: each answer sends the next call at once, alternating the work
// call (claim, log, report) with a heartbeat, the same mix as open mode.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/load/job_auditor.h"
#include "bench/load/lease_tracker.h"
#include "bench/load/rpc_call.h"
#include "bench/load/timer_queue.h"
#include "mkvfleet/v1/agent.grpc.pb.h"

namespace mkvfleet::bench {

// How the simulated agents behave (from the flags).
struct AgentBehaviour {
  bool saturate = false;
  absl::Duration heartbeat = absl::Seconds(1);
  absl::Duration step = absl::Seconds(2);
  absl::Duration claim_poll = absl::Seconds(1);  // after an empty claim or a refusal
  int release_every = 50;  // every Nth claim is handed back after its first step; 0 = never
};

// True for a call that got no answer in time (DEADLINE_EXCEEDED, UNAVAILABLE): its effect on the
// coordinator is unknown.
bool IsTimeout(const grpc::Status& status);

// The step names of the real media pipeline (agent/media/media_pipeline.cc), in order.
const std::vector<std::string>& SimulatedSteps();

// What the agents share. Everything outlives every agent.
struct FleetShared {
  AgentBehaviour behaviour;
  CallSink sink;
  TimerQueue* timers = nullptr;
  LeaseTracker* ledger = nullptr;
  JobAuditor* auditor = nullptr;
  std::atomic<bool> stopping{false};     // no new work once set
  std::atomic<int64_t> claims{0};        // claims answered with a task, for release_every
  std::atomic<int64_t> empty_claims{0};  // claims answered with nothing to do
  std::atomic<int64_t> heartbeats_skipped{0};  // open mode: previous heartbeat still in flight
  std::atomic<int64_t> unexpected{0};    // refusals no timeout explains (also ledger violations)
};

// Thread-safe: its calls complete on gRPC threads and its ticks run on the timer thread.
class SimAgent {
 public:
  SimAgent(std::string name, v1::AgentService::Stub* stub, FleetShared& fleet);
  // Registers at `when`, then runs until fleet.stopping.
  void Start(absl::Time when);
  // After stopping and every call answered: hands a held lease back (ReleaseTask) and queues the
  // audit expecting the job pending. No-op when nothing (certain) is held.
  void ReleaseHeld();

 private:
  struct HeldJob {
    int64_t job_id = 0;
    int64_t task_id = 0;
    std::string lease_id;
    std::string output_path;
    int next_step = 0;      // step to report FINISHED at the next tick
    bool hand_back = false; // release instead of finishing step 1
    bool uncertain = false; // a call about it timed out: its fate is not known here
    bool lost = false;      // revoked or refused: stop working on it
    // The call that ends the lease (the last FINISHED, or ReleaseTask) is in flight: a heartbeat
    // the coordinator answers after it reports the lease revoked, and rightly so.
    bool ending = false;
  };
  enum class Work { kClaim, kLog, kStart, kFinish, kRelease };

  void SendRegister();
  void HeartbeatTick(absl::Time scheduled);
  void SendHeartbeat(std::function<void()> then);
  // The work chain: one call at a time, `scheduled` for lag accounting.
  void DoWork(Work w, absl::Time scheduled);
  // Open mode: runs `w` at `when` on the timer; saturate mode: a heartbeat, then `w` at once.
  void Next(Work w, absl::Time when);
  void OnClaimed(const v1::ClaimJobResponse& resp);
  void SendReport(int step, v1::StepEvent event, absl::Time scheduled);
  void OnReportAnswer(int step, v1::StepEvent event, absl::Time scheduled, const grpc::Status& s,
                      const v1::ReportStepResponse& resp);
  void SendRelease(absl::Time scheduled);
  // A refusal of a call about the held job: lost; a violation unless a timeout explains it.
  void LoseJobLocked(const std::string& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Stopping() const { return fleet_.stopping.load(); }
  int64_t NowMs() const { return absl::ToUnixMillis(absl::Now()); }

  const std::string name_;
  v1::AgentService::Stub* const stub_;
  FleetShared& fleet_;
  absl::Mutex mu_;
  absl::BitGen rng_ ABSL_GUARDED_BY(mu_);
  std::optional<HeldJob> job_ ABSL_GUARDED_BY(mu_);
  bool heartbeat_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration register_retry_ ABSL_GUARDED_BY(mu_);  // next delays after a failure
  absl::Duration report_retry_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mkvfleet::bench
