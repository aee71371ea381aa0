// A simulated agent for the kill-during-a-burst test: it loops ClaimJob -> Heartbeat ->
// ReportStep(STARTED) -> ReportStep(FINISHED, outcome COMPLETED) as fast as the coordinator
// answers, and keeps a ledger of everything the coordinator acknowledged (answered OK) and of the
// durable operation whose answer a SIGKILL swallowed, so the test can check the restarted
// coordinator against it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mkvfleet/v1/agent.grpc.pb.h"

namespace mkvfleet::server {

// A claim the coordinator acknowledged.
struct AckedClaim {
  int64_t job_id = 0;
  int64_t task_id = 0;
  std::string lease_id;
};

// The durable operation an agent had sent when the coordinator died, its outcome unknown.
enum class Unanswered { kNone, kClaim, kStarted, kFinished };

// What one agent was told. Written only by its RunBurstAgent thread while that runs, read and
// adjusted by the test's main thread between phases.
struct AgentLedger {
  std::string name;
  std::optional<AckedClaim> held;  // claim acknowledged, completion not (yet)
  bool held_started = false;       // STARTED acknowledged for `held`
  std::vector<AckedClaim> claims;  // every acknowledged claim, in order
  std::vector<int64_t> started;    // jobs whose STARTED report was acknowledged
  std::vector<int64_t> completed;  // jobs whose completing FINISHED report was acknowledged
  Unanswered unanswered = Unanswered::kNone;
  std::vector<std::string> errors;  // answers a correct coordinator never gives
};

// Shared by the agents of one phase.
struct BurstSignals {
  // The agent whose acknowledged operation is the kill_at-th of the phase calls `kill` at once:
  // right after an answer is the moment an answer sent before its commit would be lost.
  int kill_at = 0;  // 0 = never
  std::function<void()> kill;
  std::atomic<int> acked{0};       // claims and reports acknowledged in this phase
  std::atomic<bool> dying{false};  // set just before the kill: failures are the kill's from then
};

// The output an agent publishes under `lease_id`: a job's output then names the lease that
// completed it.
std::string OutputFor(const std::string& lease_id);

// Runs the agent of `ledger` against `stub`: first carries on with a held lease (heartbeat, then
// the report not yet acknowledged), then claims and completes jobs until ClaimJob finds nothing.
// Returns then, or at the first failed RPC: while `signals.dying` the durable operation is
// recorded in ledger.unanswered, otherwise the failure goes to ledger.errors. Counts every
// acknowledged claim and report in signals.acked (and kills at signals.kill_at).
// REQUIRES: the agent is registered.
void RunBurstAgent(v1::AgentService::Stub& stub, AgentLedger& ledger, BurstSignals& signals);

}  // namespace mkvfleet::server
