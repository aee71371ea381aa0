// Coordinator metrics from scrapes, events and direct calls; see ops_metrics.h.
#include "server/http/ops_metrics.h"

#include "common/status/status_macros.h"
#include "server/http/json_view.h"

namespace mkvfleet::http {
namespace {

constexpr char kJobs[] = "mkvfleet_jobs";
constexpr char kJobsHelp[] = "Jobs by state.";
constexpr char kAgents[] = "mkvfleet_agents";
constexpr char kAgentsHelp[] = "Registered agents by status.";
constexpr char kFps[] = "mkvfleet_agent_frames_per_second";
constexpr char kFpsHelp[] = "Frames per second of the step an agent runs (0 when idle).";
constexpr char kStep[] = "mkvfleet_step_duration_seconds";
constexpr char kStepHelp[] = "Wall time of finished job steps.";
constexpr char kRetries[] = "mkvfleet_job_retries_total";
constexpr char kRetriesHelp[] = "Step failures that scheduled a retry (job -> failed).";
constexpr char kLeases[] = "mkvfleet_lease_expiries_total";
constexpr char kLeasesHelp[] = "Leases that expired without a heartbeat.";
constexpr char kRead[] = "mkvfleet_bytes_read_total";
constexpr char kReadHelp[] =
    "Storage bytes agents reported reading during steps (/proc/self/io read_bytes deltas).";
constexpr char kWritten[] = "mkvfleet_bytes_written_total";
constexpr char kWrittenHelp[] =
    "Storage bytes agents reported writing during steps (/proc/self/io write_bytes deltas).";
// Finished steps remembered to count each duration once; older entries are forgotten first.
constexpr size_t kMaxTrackedSteps = 80000;

}  // namespace

const std::vector<double>& StepDurationBuckets() {
  static const std::vector<double> buckets = {1,    5,    15,   60,    300,   900,
                                              1800, 3600, 7200, 14400, 28800, 43200};
  return buckets;
}

OpsMetrics::OpsMetrics(metrics::Registry& registry) : registry_(registry) {
  // Declare every family up front so /metrics always shows them, zeros included.
  for (v1::JobState s : AllJobStates()) {
    registry_.GetGauge(kJobs, kJobsHelp, {{"state", JobStateName(s)}});
  }
  for (v1::AgentStatus s : AllAgentStatuses()) {
    registry_.GetGauge(kAgents, kAgentsHelp, {{"status", AgentStatusName(s)}});
  }
  registry_.GetCounter(kRetries, kRetriesHelp);
  registry_.GetCounter(kLeases, kLeasesHelp);
  registry_.GetCounter(kRead, kReadHelp);
  registry_.GetCounter(kWritten, kWrittenHelp);
  registry_.ClearGauges(kFps);
}

absl::Status OpsMetrics::Refresh(DashboardBackend& backend) {
  ASSIGN_OR_RETURN(const v1::CountJobsResponse counts, backend.CountJobs());
  ASSIGN_OR_RETURN(const std::vector<v1::Agent> agents, backend.ListAgents());

  std::map<v1::JobState, int64_t> by_state;
  for (const v1::JobStateCount& c : counts.counts()) by_state[c.state()] += c.count();
  for (v1::JobState s : AllJobStates()) {
    registry_.GetGauge(kJobs, kJobsHelp, {{"state", JobStateName(s)}})
        .Set(static_cast<double>(by_state[s]));
  }
  std::map<v1::AgentStatus, int64_t> by_status;
  for (const v1::Agent& a : agents) ++by_status[a.status()];
  for (v1::AgentStatus s : AllAgentStatuses()) {
    registry_.GetGauge(kAgents, kAgentsHelp, {{"status", AgentStatusName(s)}})
        .Set(static_cast<double>(by_status[s]));
  }
  registry_.ClearGauges(kFps);
  for (const v1::Agent& a : agents) {
    const bool working = a.status() == v1::AGENT_STATUS_BUSY || a.current_job_id() != 0;
    registry_.GetGauge(kFps, kFpsHelp, {{"agent", a.name()}})
        .Set(working ? a.progress().fps() : 0.0);
  }
  std::function<CoordinatorTotals()> source;
  {
    absl::MutexLock lock(&mu_);
    source = totals_source_;
  }
  if (source) ApplyTotals(source());
  return absl::OkStatus();
}

void OpsMetrics::SetTotalsSource(std::function<CoordinatorTotals()> source) {
  absl::MutexLock lock(&mu_);
  totals_source_ = std::move(source);
}

void OpsMetrics::ApplyTotals(const CoordinatorTotals& totals) {
  absl::MutexLock lock(&mu_);
  auto advance = [this](const char* name, const char* help, int64_t total, int64_t& applied) {
    if (total > applied) {
      registry_.GetCounter(name, help).Increment(static_cast<double>(total - applied));
    }
    applied = total;
  };
  advance(kLeases, kLeasesHelp, totals.lease_expiries, applied_.lease_expiries);
  advance(kRetries, kRetriesHelp, totals.retries, applied_.retries);
  advance(kRead, kReadHelp, totals.bytes_read, applied_.bytes_read);
  advance(kWritten, kWrittenHelp, totals.bytes_written, applied_.bytes_written);
}

void OpsMetrics::ObserveEvent(const v1::Event& event) {
  if (event.kind() != v1::EVENT_KIND_JOB_CHANGED) return;
  const v1::Job& job = event.job();
  std::vector<std::pair<std::string, double>> durations;
  {
    absl::MutexLock lock(&mu_);
    for (const v1::Step& s : job.steps()) {
      if (s.state() != v1::STEP_STATE_DONE || s.started_ms() <= 0 ||
          s.finished_ms() < s.started_ms()) {
        continue;
      }
      if (!seen_steps_.insert({job.id(), s.index(), s.finished_ms()}).second) continue;
      durations.emplace_back(s.name(), (s.finished_ms() - s.started_ms()) / 1000.0);
    }
    while (seen_steps_.size() > kMaxTrackedSteps) seen_steps_.erase(seen_steps_.begin());
  }
  for (const auto& [step, seconds] : durations) {
    RecordStepDuration(step, absl::Seconds(seconds));
  }
}

void OpsMetrics::RecordStepDuration(absl::string_view step, absl::Duration duration) {
  registry_
      .GetHistogram(kStep, kStepHelp, StepDurationBuckets(),
                    {{"step", std::string(step.empty() ? "unnamed" : step)}})
      .Observe(absl::ToDoubleSeconds(duration));
}

}  // namespace mkvfleet::http
