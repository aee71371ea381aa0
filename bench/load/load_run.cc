// See load_run.h.
#include "bench/load/load_run.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/load/sim_agent.h"
#include "bench/load/timer_queue.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace mkvfleet::bench {
namespace {

constexpr int kIdleFloorCalls = 200;
constexpr int kAuditInFlight = 8;

// `n` channels to `address`, each its own TCP connection (a channel argument that differs, and
// no shared subchannel pool).
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(const std::string& address, int n) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < n; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("mkvfleet.load_bench.channel", i);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    out.push_back(grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  return out;
}

// GetServerInfo one call at a time: the gRPC floor on an idle coordinator.
LatencySummary IdleFloor(v1::AgentService::Stub& stub) {
  std::vector<uint32_t> us;
  for (int i = 0; i < kIdleFloorCalls; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ServerInfoRequest req;
    v1::ServerInfo resp;
    const absl::Time t0 = absl::Now();
    if (stub.GetServerInfo(&ctx, req, &resp).ok()) {
      us.push_back(static_cast<uint32_t>(absl::ToInt64Microseconds(absl::Now() - t0)));
    }
  }
  return Summarize(us);
}

// The 1, 5 and 15 minute load averages, "" when unreadable.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return absl::StrCat(a, " ", b, " ", c);
}

// Polls until no call is in flight or `limit` passes; false on the limit.
bool WaitIdle(const std::atomic<int64_t>& in_flight, absl::Duration limit) {
  const absl::Time end = absl::Now() + limit;
  while (in_flight.load() > 0) {
    if (absl::Now() > end) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

// The floor probe: GetServerInfo every `period` on the agents' first channel, until stopping.
void ProbeFloor(TimerQueue& timers, v1::AgentService::Stub* stub, FleetShared& fleet,
                absl::Duration period, absl::Time when) {
  timers.RunAt(when, [&timers, stub, &fleet, period](absl::Time t) {
    if (fleet.stopping.load()) return;
    CallAsync<v1::ServerInfoRequest, v1::ServerInfo>(
        fleet.sink, RpcKind::kGetServerInfo, v1::ServerInfoRequest(),
        [stub](auto* c, auto* q, auto* r, auto cb) { stub->async()->GetServerInfo(c, q, r, cb); },
        [](const grpc::Status&, const v1::ServerInfo&) {});
    ProbeFloor(timers, stub, fleet, period, t + period);
  });
}

void CheckCorrectness(const LoadOptions& options, PointResult& r) {
  if (r.ledger.violations > 0) {
    r.failures.push_back(absl::StrCat(r.ledger.violations, " lease violations"));
  }
  if (r.unexpected > 0) {
    r.failures.push_back(absl::StrCat(r.unexpected, " unexpected errors or refusals"));
  }
  if (r.audit.mismatches > 0) {
    r.failures.push_back(absl::StrCat(r.audit.mismatches, " audited jobs not as the agents left them"));
  }
  if (!options.require_every_rpc) return;
  for (int k = 0; k < kRpcKinds; ++k) {
    const RpcKind kind = static_cast<RpcKind>(k);
    if (kind == RpcKind::kEnqueue) continue;  // seeding is synchronous; a failure ends the run
    if (kind == RpcKind::kResetJob && !options.recycle) continue;
    if (r.kinds[k].run_ok == 0) {
      r.failures.push_back(absl::StrCat("no ", RpcKindName(kind), " call succeeded"));
    }
  }
  if (r.ledger.completions == 0 || r.audit.audited == 0) {
    r.failures.push_back("no job completed and audited");
  }
}

}  // namespace

double PointResult::AgentRate() const {
  int64_t n = 0;
  for (int k = 0; k < kRpcKinds; ++k) {
    if (IsAgentRpc(static_cast<RpcKind>(k))) n += kinds[k].window.count;
  }
  const double s = absl::ToDoubleSeconds(window);
  return s > 0 ? static_cast<double>(n) / s : 0;
}

double PointResult::AgentOkRate() const {
  int64_t n = 0;
  for (int k = 0; k < kRpcKinds; ++k) {
    if (IsAgentRpc(static_cast<RpcKind>(k))) n += kinds[k].window.count - kinds[k].window_errors;
  }
  const double s = absl::ToDoubleSeconds(window);
  return s > 0 ? static_cast<double>(n) / s : 0;
}

double PointResult::CpuMsPerCall() const {
  const double rate = AgentOkRate();
  const double cpu = coordinator_end.cpu_seconds - coordinator_start.cpu_seconds;
  const double calls = rate * absl::ToDoubleSeconds(window);
  return calls > 0 && coordinator_start.cpu_seconds >= 0 ? 1000.0 * cpu / calls : 0;
}

absl::StatusOr<PointResult> RunPoint(const LoadOptions& options, int jobs,
                                     const std::vector<std::string>& paths,
                                     const std::string& library, const std::string& run_dir) {
  PointResult r;
  r.jobs = jobs;
  CoordinatorSetup setup{options.coordinator, run_dir, library, options.coordinator_log_level,
                         std::max<int>(1, absl::ToInt64Seconds(options.behaviour.heartbeat))};
  absl::StatusOr<std::unique_ptr<CoordinatorProcess>> coordinator = CoordinatorProcess::Start(setup);
  if (!coordinator.ok()) return coordinator.status();
  CoordinatorProcess& coord = **coordinator;
  std::vector<std::shared_ptr<grpc::Channel>> channels =
      MakeChannels(coord.address(), options.channels + 1);  // the last one for admin calls
  const std::vector<std::string> seeded(paths.begin(), paths.begin() + jobs);
  absl::StatusOr<SeedResult> seed = EnqueueAll(channels.back(), seeded);
  if (!seed.ok()) return seed.status();
  r.seed = *seed;
  std::vector<std::unique_ptr<v1::AgentService::Stub>> stubs;
  for (int i = 0; i < options.channels; ++i) stubs.push_back(v1::AgentService::NewStub(channels[i]));
  r.idle_floor = IdleFloor(*stubs[0]);

  RpcStats stats;
  LeaseTracker ledger;
  std::atomic<int64_t> in_flight{0};
  FleetShared fleet;
  fleet.behaviour = options.behaviour;
  fleet.sink = CallSink{&stats, &in_flight, options.deadline};
  fleet.ledger = &ledger;
  JobAuditor auditor(channels.back(), fleet.sink, ledger, options.recycle, kAuditInFlight);
  fleet.auditor = &auditor;
  std::vector<std::unique_ptr<SimAgent>> agents;
  {
    TimerQueue timers;
    fleet.timers = &timers;
    const absl::Time start = absl::Now();
    // Registrations spread over one heartbeat interval (open) so they do not arrive as one burst.
    const absl::Duration spread = options.behaviour.saturate ? absl::ZeroDuration()
                                                             : options.behaviour.heartbeat;
    for (int i = 0; i < options.agents; ++i) {
      agents.push_back(std::make_unique<SimAgent>(absl::StrFormat("sim-%05d", i),
                                                  stubs[i % stubs.size()].get(), fleet));
      agents.back()->Start(start + spread * i / options.agents);
    }
    ProbeFloor(timers, stubs[0].get(), fleet, absl::Seconds(1.0 / options.floor_hz), start);
    const absl::Time window_start = start + options.warmup;
    const absl::Time window_end = window_start + options.seconds;
    stats.SetWindow(window_start, window_end);
    bool started = false;
    while (absl::Now() < window_end) {
      absl::Status s = coord.CheckAlive();
      if (s.ok() && options.cancel != nullptr && options.cancel->load()) {
        s = absl::CancelledError("interrupted");
      }
      if (!s.ok()) {
        fleet.stopping = true;
        WaitIdle(in_flight, options.deadline + absl::Seconds(2));
        return s;
      }
      if (!started && absl::Now() >= window_start) {
        r.coordinator_start = coord.Usage();
        r.generator_start = SelfUsage();
        r.loadavg_start = LoadAverage();
        started = true;
      }
      absl::SleepFor(absl::Milliseconds(started ? 100 : 10));
    }
    r.coordinator_end = coord.Usage();
    r.generator_end = SelfUsage();
    r.loadavg_end = LoadAverage();
    fleet.stopping = true;
    if (!WaitIdle(in_flight, options.deadline + absl::Seconds(5))) {
      return absl::DeadlineExceededError("calls still unanswered after their deadline");
    }
  }  // the timer thread is gone: nothing else will send
  for (auto& a : agents) a->ReleaseHeld();
  WaitIdle(in_flight, options.deadline + absl::Seconds(5));
  auditor.Drain();
  WaitIdle(in_flight, options.deadline + absl::Seconds(5));
  const ProcessUsage last = coord.Usage();
  r.coordinator_end.vm_hwm_kb = last.vm_hwm_kb;  // the peak covers the whole run
  for (int k = 0; k < kRpcKinds; ++k) r.kinds[k] = stats.Summary(static_cast<RpcKind>(k));
  r.lag = stats.LagSummary();
  r.window = stats.window();
  r.ledger = ledger.Summary();
  r.audit = auditor.Summary();
  r.empty_claims = fleet.empty_claims.load();
  r.heartbeats_skipped = fleet.heartbeats_skipped.load();
  r.unexpected = fleet.unexpected.load();
  CheckCorrectness(options, r);
  return r;
}

}  // namespace mkvfleet::bench
