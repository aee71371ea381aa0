// See load_report.h.
#include "bench/load/load_report.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/load/sim_agent.h"

namespace mkvfleet::bench {
namespace {

double Ms(double us) { return us / 1000.0; }

std::string Errors(const std::map<std::string, int64_t>& errors) {
  if (errors.empty()) return "-";
  std::vector<std::string> parts;
  for (const auto& [code, n] : errors) parts.push_back(absl::StrCat(code, ":", n));
  return absl::StrJoin(parts, ",");
}

std::string Ratio(double value, double floor) {
  return floor > 0 && value > 0 ? absl::StrFormat("%.1fx", value / floor) : "-";
}

const KindSummary& Kind(const PointResult& p, RpcKind k) { return p.kinds[static_cast<int>(k)]; }

}  // namespace

void PrintHeader(std::ostream& out, const LoadOptions& o) {
  const AgentBehaviour& b = o.behaviour;
  out << absl::StrFormat(
      "load_bench: mode=%s agents=%d jobs=%s heartbeat=%dms step=%dms steps/job=%d "
      "release_every=%d window=%ds warmup=%ds deadline=%dms channels=%d recycle=%s "
      "coordinator_log=%s\n",
      b.saturate ? "saturate" : "open", o.agents, absl::StrJoin(o.job_counts, ","),
      absl::ToInt64Milliseconds(b.heartbeat), absl::ToInt64Milliseconds(b.step),
      SimulatedSteps().size(), b.release_every, absl::ToInt64Seconds(o.seconds),
      absl::ToInt64Seconds(o.warmup), absl::ToInt64Milliseconds(o.deadline), o.channels,
      o.recycle ? "on" : "off", o.coordinator_log_level);
  out << absl::StrFormat(
      "host: %u cores, shared by this generator and the coordinator (CPU of both below)\n",
      std::thread::hardware_concurrency());
  if (!b.saturate) {
    out << absl::StrFormat("offered (open schedule): ~%.0f agent RPC/s\n", o.OfferedRate());
  }
}

void PrintPoint(std::ostream& out, const LoadOptions& o, const PointResult& p) {
  const double window_s = absl::ToDoubleSeconds(p.window);
  const double floor_p50 = Kind(p, RpcKind::kGetServerInfo).window.p50_us;
  out << absl::StrFormat("\n== %d jobs: seeded in %.1fs (%d per Enqueue); window %.0fs\n", p.jobs,
                         absl::ToDoubleSeconds(p.seed.took), kEnqueueBatch, window_s);
  out << absl::StrFormat("%-13s %8s %8s %8s %8s %8s %8s %8s %8s  %-9s %s\n", "rpc", "count",
                         "rps", "ok/s", "p50ms", "p90ms", "p99ms", "maxms", "win_err",
                         "p50/floor", "errors (whole run)");
  for (int k = 0; k < kRpcKinds; ++k) {
    const RpcKind kind = static_cast<RpcKind>(k);
    if (kind == RpcKind::kEnqueue) continue;
    const KindSummary& s = p.kinds[k];
    const LatencySummary& w = s.window;
    out << absl::StrFormat("%-13s %8d %8.1f %8.1f %8.2f %8.2f %8.2f %8.2f %8d  %-9s %s\n",
                           RpcKindName(kind), w.count, window_s > 0 ? w.count / window_s : 0,
                           window_s > 0 ? (w.count - s.window_errors) / window_s : 0,
                           Ms(w.p50_us), Ms(w.p90_us), Ms(w.p99_us), Ms(w.max_us), s.window_errors,
                           kind == RpcKind::kGetServerInfo ? "(floor)" : Ratio(w.p50_us, floor_p50),
                           Errors(s.run_errors));
  }
  out << absl::StrFormat("agent API: %.1f RPC/s answered, %.1f ok", p.AgentRate(), p.AgentOkRate());
  if (!o.behaviour.saturate) out << absl::StrFormat(" of ~%.0f offered", o.OfferedRate());
  out << absl::StrFormat("; idle floor GetServerInfo p50 %.3f ms p99 %.3f ms (one at a time)\n",
                         Ms(p.idle_floor.p50_us), Ms(p.idle_floor.p99_us));
  if (!o.behaviour.saturate) {
    out << absl::StrFormat(
        "schedule lag (ticks sent late): p50 %.1f ms p99 %.1f ms max %.1f ms; heartbeats skipped "
        "(previous still in flight): %d\n",
        Ms(p.lag.p50_us), Ms(p.lag.p99_us), Ms(p.lag.max_us), p.heartbeats_skipped);
  }
  const double coord_cpu = p.coordinator_end.cpu_seconds - p.coordinator_start.cpu_seconds;
  const double gen_cpu = p.generator_end.cpu_seconds - p.generator_start.cpu_seconds;
  out << absl::StrFormat(
      "coordinator: VmHWM %.1f MiB, VmRSS %.1f MiB at window end; CPU %.1f s in the window "
      "(%.2f cores), %.3f ms per ok agent RPC; generator CPU %.1f s (%.2f cores)\n",
      p.coordinator_end.vm_hwm_kb / 1024.0, p.coordinator_end.vm_rss_kb / 1024.0, coord_cpu,
      window_s > 0 ? coord_cpu / window_s : 0, p.CpuMsPerCall(), gen_cpu,
      window_s > 0 ? gen_cpu / window_s : 0);
  out << absl::StrFormat("load average (1/5/15 min) at window start %s, end %s\n",
                         p.loadavg_start, p.loadavg_end);
  const LedgerSummary& l = p.ledger;
  out << absl::StrFormat(
      "correctness: claims %d, completed %d (audited %d, mismatches %d, unanswered %d), handed "
      "back %d, reset %d, empty claims %d, expired-lease takeovers %d, lost leases %d, "
      "violations %d, unexpected errors %d -> %s\n",
      l.claims, l.completions, p.audit.audited, p.audit.mismatches, p.audit.unanswered,
      l.releases, l.resets, p.empty_claims, l.expired_takeovers, l.lost_leases, l.violations,
      p.unexpected, p.failures.empty() ? "PASS" : "FAIL");
  for (const std::string& v : l.first_violations) out << "  violation: " << v << "\n";
  for (const std::string& f : p.failures) out << "  failed: " << f << "\n";
  out << std::flush;
}

void PrintSeries(std::ostream& out, const std::vector<PointResult>& points) {
  if (points.size() < 2) return;
  out << "\n== table-size series: p50 / p99 ms, (p50 over this point's GetServerInfo floor), "
         "[p50 over the first point]\n";
  out << absl::StrFormat("%-13s", "rpc");
  for (const PointResult& p : points) out << absl::StrFormat(" %34s", absl::StrCat(p.jobs, " jobs"));
  out << "\n";
  const RpcKind kinds[] = {RpcKind::kRegister,   RpcKind::kClaimJob,    RpcKind::kHeartbeat,
                           RpcKind::kReportStep, RpcKind::kAppendLog,   RpcKind::kReleaseTask,
                           RpcKind::kGetServerInfo, RpcKind::kGetJob,   RpcKind::kResetJob};
  for (RpcKind k : kinds) {
    out << absl::StrFormat("%-13s", RpcKindName(k));
    const double first = Kind(points[0], k).window.p50_us;
    for (const PointResult& p : points) {
      const LatencySummary& w = Kind(p, k).window;
      const double floor = Kind(p, RpcKind::kGetServerInfo).window.p50_us;
      out << absl::StrFormat(" %34s",
                             w.count == 0 ? std::string("-")
                                          : absl::StrFormat("%.2f / %.2f (%s) [%s]", Ms(w.p50_us),
                                                            Ms(w.p99_us), Ratio(w.p50_us, floor),
                                                            Ratio(w.p50_us, first)));
    }
    out << "\n";
  }
  out << absl::StrFormat("%-13s", "agent ok/s");
  for (const PointResult& p : points) out << absl::StrFormat(" %34.1f", p.AgentOkRate());
  out << "\n" << absl::StrFormat("%-13s", "CPU ms/ok RPC");
  for (const PointResult& p : points) {
    out << absl::StrFormat(" %34s", absl::StrFormat("%.3f [%s]", p.CpuMsPerCall(),
                                                     Ratio(p.CpuMsPerCall(),
                                                           points[0].CpuMsPerCall())));
  }
  out << "\n" << absl::StrFormat("%-13s", "VmHWM MiB");
  for (const PointResult& p : points) {
    out << absl::StrFormat(" %34.1f", p.coordinator_end.vm_hwm_kb / 1024.0);
  }
  out << "\n" << absl::StrFormat("%-13s", "correctness");
  for (const PointResult& p : points) {
    out << absl::StrFormat(" %34s", p.failures.empty() ? "PASS" : "FAIL");
  }
  out << "\n";
}

}  // namespace mkvfleet::bench
