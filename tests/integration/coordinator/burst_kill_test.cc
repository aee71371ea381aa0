// SIGKILL during a burst of concurrent claims and reports loses nothing acknowledged (issue 15:
// group commit must not answer before a change is committed). 16 agents claim and complete a few
// hundred jobs as fast as the real coordinator answers; at a random moment of the burst the
// coordinator is SIGKILLed and restarted on the same state dir, five times. After each restart
// the table must hold every acknowledged claim, STARTED and completion, hand no job to two
// leases, and honour the held leases (restart grace); the agents then carry on where they were,
// and at the end every job is completed exactly once, under the lease that claimed it.
//
// What it catches: an answer sent before its COMMIT (e.g. a batching bug). What it cannot see: a
// SIGKILL keeps the page cache, so a missing fsync (power-cut durability) goes unnoticed here;
// job_store_scale_test checks that claims and reports wait for one.
#include <catch2/catch.hpp>

#include <signal.h>

#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "common/auth/client_channel.h"
#include "mkvfleet/v1/admin.grpc.pb.h"
#include "tests/integration/coordinator/burst_agent.h"
#include "tests/integration/coordinator/coordinator_process.h"

namespace mkvfleet::server {
namespace {

constexpr int kJobs = 480;
constexpr int kAgents = 16;
constexpr int kKills = 5;
// Each kill lands once this many claims and reports were acknowledged in its phase, drawn at
// random in between: well inside the burst, and leaving jobs for the next phases.
constexpr int kMinAckedBeforeKill = 48;
constexpr int kMaxAckedBeforeKill = 160;

// A running coordinator and stubs on one channel to it.
struct Coordinator {
  std::unique_ptr<Child> child;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::AgentService::Stub> agent;
};

Coordinator Start(const CoordinatorSetup& s, const std::string& tag) {
  Coordinator c;
  c.child = Spawn(s.Args(), s.dir, tag);
  auth::ClientConnectOptions options;
  options.target = WaitListening(*c.child);
  auto channel = auth::MakeChannel(options);
  REQUIRE(channel.ok());
  c.admin = v1::AdminService::NewStub(*channel);
  c.agent = v1::AgentService::NewStub(*channel);
  return c;
}

// Runs every agent in its own thread until they run out of jobs, or, with kill_after > 0, until
// the agent whose acknowledged claim or report is the kill_after-th of the phase SIGKILLs the
// coordinator, mid-burst.
void RunPhase(Coordinator& c, std::vector<AgentLedger>& ledgers, int kill_after) {
  BurstSignals signals;
  signals.kill_at = kill_after;
  signals.kill = [pid = c.child->pid] { ::kill(pid, SIGKILL); };
  std::vector<std::thread> threads;
  for (AgentLedger& l : ledgers) {
    threads.emplace_back([&c, &l, &signals] { RunBurstAgent(*c.agent, l, signals); });
  }
  for (std::thread& t : threads) t.join();
  for (const AgentLedger& l : ledgers) {
    for (const std::string& e : l.errors) FAIL_CHECK(e);
  }
  if (kill_after > 0) {
    REQUIRE(signals.dying);  // the kill landed inside the burst, not after it ran dry
    CHECK(c.child->Wait() == 128 + SIGKILL);
  }
}

// The whole table, with steps, by job id.
std::map<int64_t, v1::Job> LoadJobs(v1::AdminService::Stub& admin) {
  v1::ListJobsResponse list;
  REQUIRE(admin.ListJobs(Ctx().get(), {}, &list).ok());
  std::map<int64_t, v1::Job> jobs;
  for (const v1::Job& j : list.jobs()) {
    v1::GetJobRequest req;
    req.set_id(j.id());
    REQUIRE(admin.GetJob(Ctx().get(), req, &jobs[j.id()]).ok());
  }
  return jobs;
}

// Every acknowledged claim by job; a job acknowledged to two leases fails the test.
struct ClaimOwner {
  const AgentLedger* ledger = nullptr;
  AckedClaim claim;
};
std::map<int64_t, ClaimOwner> ClaimsByJob(const std::vector<AgentLedger>& ledgers) {
  std::map<int64_t, ClaimOwner> by_job;
  for (const AgentLedger& l : ledgers) {
    for (const AckedClaim& c : l.claims) {
      auto [it, fresh] = by_job.try_emplace(c.job_id, ClaimOwner{&l, c});
      if (!fresh) {
        FAIL_CHECK("job " << c.job_id << " was acknowledged as claimed twice: by "
                          << it->second.ledger->name << " lease " << it->second.claim.lease_id
                          << " and by " << l.name << " lease " << c.lease_id);
      }
    }
  }
  return by_job;
}

// True when the job records step 0 as started by `agent` (running, or done since).
bool StartedBy(const v1::Job& job, const std::string& agent) {
  return job.steps_size() > 0 && job.steps(0).index() == 0 && job.steps(0).agent() == agent &&
         job.steps(0).started_ms() > 0 &&
         (job.steps(0).state() == v1::STEP_STATE_RUNNING ||
          job.steps(0).state() == v1::STEP_STATE_DONE);
}

bool CompletedUnder(const v1::Job& job, const AckedClaim& claim) {
  return job.state() == v1::JOB_STATE_COMPLETED && job.output() == OutputFor(claim.lease_id) &&
         job.steps_size() > 0 && job.steps(0).state() == v1::STEP_STATE_DONE;
}

// `agent` heartbeats its held lease: the restarted coordinator must renew it.
bool LeaseRenewed(v1::AgentService::Stub& stub, const std::string& agent, const AckedClaim& c) {
  v1::HeartbeatRequest req;
  req.set_agent(agent);
  req.add_leases()->set_lease_id(c.lease_id);
  req.mutable_leases(0)->set_task_id(c.task_id);
  v1::HeartbeatResponse resp;
  return stub.Heartbeat(Ctx().get(), req, &resp).ok() && resp.revoked_lease_ids_size() == 0 &&
         resp.renewed_deadlines_ms().count(c.lease_id) == 1;
}

// What the checks after a restart found about the answers the kill swallowed.
struct Unknowns {
  std::map<const AgentLedger*, int64_t> orphans;  // committed claims never answered, by agent
  int claims = 0, started = 0, finished = 0;      // unanswered operations
  int finished_committed = 0;
};

// Checks the restarted coordinator's table against every agent's ledger (see the file comment).
Unknowns CheckAfterRestart(Coordinator& c, const std::vector<AgentLedger>& ledgers) {
  const std::map<int64_t, v1::Job> jobs = LoadJobs(*c.admin);
  CHECK(jobs.size() == static_cast<size_t>(kJobs));
  const std::map<int64_t, ClaimOwner> claims = ClaimsByJob(ledgers);
  Unknowns unknowns;
  for (const AgentLedger& l : ledgers) {
    INFO("agent " << l.name);
    unknowns.claims += l.unanswered == Unanswered::kClaim;
    unknowns.started += l.unanswered == Unanswered::kStarted;
    unknowns.finished += l.unanswered == Unanswered::kFinished;
    for (const AckedClaim& claim : l.claims) {
      INFO("acknowledged claim of job " << claim.job_id << " lease " << claim.lease_id);
      REQUIRE(jobs.count(claim.job_id) == 1);
      const v1::Job& job = jobs.at(claim.job_id);
      INFO("job now " << job.ShortDebugString());
      CHECK(job.agent() == l.name);
      CHECK(job.attempts() == 1);
      const bool held = l.held.has_value() && l.held->job_id == claim.job_id;
      if (held && l.unanswered == Unanswered::kFinished && CompletedUnder(job, claim)) {
        ++unknowns.finished_committed;  // committed, its answer lost: the agent learns below
      } else if (held) {
        CHECK(job.state() == v1::JOB_STATE_RUNNING);
        CHECK(LeaseRenewed(*c.agent, l.name, claim));
      } else {
        CHECK(CompletedUnder(job, claim));  // its completion was acknowledged
      }
    }
    for (int64_t id : l.started) {
      INFO("acknowledged STARTED of job " << id << ": " << jobs.at(id).ShortDebugString());
      CHECK(StartedBy(jobs.at(id), l.name));
    }
    for (int64_t id : l.completed) {
      INFO("acknowledged completion of job " << id);
      CHECK(jobs.at(id).state() == v1::JOB_STATE_COMPLETED);
    }
  }
  // Nothing beyond the ledgers: a job is claimed only by an acknowledged claim, or by the one
  // claim whose answer was lost (an orphan: its agent never learnt the lease).
  std::map<std::string, const AgentLedger*> by_name;
  for (const AgentLedger& l : ledgers) by_name[l.name] = &l;
  for (const auto& [id, job] : jobs) {
    INFO("job " << job.ShortDebugString());
    if (claims.count(id) == 1) continue;  // checked above
    if (job.state() == v1::JOB_STATE_PENDING) {
      CHECK(job.attempts() == 0);
      CHECK(job.steps_size() == 0);
      continue;
    }
    CHECK(job.state() == v1::JOB_STATE_RUNNING);
    REQUIRE(by_name.count(job.agent()) == 1);
    const AgentLedger* l = by_name.at(job.agent());
    CHECK(l->unanswered == Unanswered::kClaim);
    CHECK(unknowns.orphans.count(l) == 0);
    CHECK(job.steps_size() == 0);
    unknowns.orphans[l] = id;
  }
  return unknowns;
}

// Tells each agent what became of its unanswered operation, as an agent would find out: an
// orphaned claim is reset by the admin (its lease would otherwise only expire after a lease
// duration), a committed completion ends the held lease; the rest is simply sent again.
void Reconcile(Coordinator& c, std::vector<AgentLedger>& ledgers, const Unknowns& unknowns) {
  for (const auto& [ledger, job_id] : unknowns.orphans) {
    v1::ResetJobRequest req;
    req.set_id(job_id);
    v1::Job reset;
    REQUIRE(c.admin->ResetJob(Ctx().get(), req, &reset).ok());
    CHECK(reset.state() == v1::JOB_STATE_PENDING);
  }
  for (AgentLedger& l : ledgers) {
    if (l.unanswered == Unanswered::kFinished) {
      v1::GetJobRequest req;
      req.set_id(l.held->job_id);
      v1::Job job;
      REQUIRE(c.admin->GetJob(Ctx().get(), req, &job).ok());
      if (job.state() == v1::JOB_STATE_COMPLETED) l.held.reset();
    }
    l.unanswered = Unanswered::kNone;
  }
}

TEST_CASE("SIGKILL during a burst of claims and reports loses nothing acknowledged") {
  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  CoordinatorSetup s(kJobs);
  Coordinator c = Start(s, "run0");

  v1::EnqueueRequest enqueue;
  for (const std::string& path : s.library_files) enqueue.add_paths(path);
  v1::EnqueueResponse enqueued;
  REQUIRE(c.admin->Enqueue(Ctx().get(), enqueue, &enqueued).ok());
  REQUIRE(enqueued.results_size() == kJobs);
  for (const auto& r : enqueued.results()) {
    REQUIRE(r.outcome() == v1::ENQUEUE_OUTCOME_CREATED);
  }
  std::vector<AgentLedger> ledgers(kAgents);
  for (int i = 0; i < kAgents; ++i) {
    ledgers[i].name = "burst-" + std::to_string(i);
    v1::RegisterRequest reg;
    reg.set_name(ledgers[i].name);
    v1::RegisterResponse registered;
    REQUIRE(c.agent->Register(Ctx().get(), reg, &registered).ok());
  }

  std::uniform_int_distribution<int> kill_after(kMinAckedBeforeKill, kMaxAckedBeforeKill);
  std::string summary;
  for (int round = 0; round < kKills; ++round) {
    const int threshold = kill_after(rng);
    INFO("round " << round << ": kill after " << threshold << " acknowledged operations");
    RunPhase(c, ledgers, threshold);
    c = Start(s, "run" + std::to_string(round + 1));
    const Unknowns unknowns = CheckAfterRestart(c, ledgers);
    Reconcile(c, ledgers, unknowns);
    summary += " kill" + std::to_string(round) + ": acked=" + std::to_string(threshold) +
               " unanswered claim/started/finished=" + std::to_string(unknowns.claims) + "/" +
               std::to_string(unknowns.started) + "/" + std::to_string(unknowns.finished) +
               " orphans=" + std::to_string(unknowns.orphans.size()) +
               " finished_committed=" + std::to_string(unknowns.finished_committed) + ";";
  }
  std::cerr << "burst_kill_test seed=" << seed << summary << "\n";

  // The agents carry on with what they hold and claim the rest: everything completes, each job
  // exactly once, under the one lease acknowledged for it.
  RunPhase(c, ledgers, /*kill_after=*/0);
  const std::map<int64_t, v1::Job> jobs = LoadJobs(*c.admin);
  const std::map<int64_t, ClaimOwner> claims = ClaimsByJob(ledgers);
  CHECK(jobs.size() == static_cast<size_t>(kJobs));
  CHECK(claims.size() == static_cast<size_t>(kJobs));
  for (const auto& [id, job] : jobs) {
    INFO("job " << job.ShortDebugString());
    REQUIRE(claims.count(id) == 1);
    const ClaimOwner& owner = claims.at(id);
    CHECK(job.agent() == owner.ledger->name);
    CHECK(job.attempts() == 1);
    CHECK(CompletedUnder(job, owner.claim));
  }
  for (const AgentLedger& l : ledgers) CHECK_FALSE(l.held.has_value());

  ::kill(c.child->pid, SIGTERM);
  CHECK(c.child->Wait() == 0);
}

}  // namespace
}  // namespace mkvfleet::server
