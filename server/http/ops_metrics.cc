// Coordinator metrics from scrapes, events and direct calls; see ops_metrics.h.
#include "server/http/ops_metrics.h"

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
constexpr char kRetriesHelp[] = "Jobs that failed and were scheduled for a retry.";
constexpr char kLeases[] = "mkvfleet_lease_expiries_total";
constexpr char kLeasesHelp[] = "Leases that expired without a heartbeat.";
constexpr char kRead[] = "mkvfleet_bytes_read_total";
constexpr char kReadHelp[] = "Bytes agents reported reading.";
constexpr char kWritten[] = "mkvfleet_bytes_written_total";
constexpr char kWrittenHelp[] = "Bytes agents reported writing.";
// Jobs whose transitions we remember; older entries are forgotten first.
constexpr size_t kMaxTrackedJobs = 10000;

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
  absl::StatusOr<std::vector<v1::Job>> jobs = backend.ListJobs(v1::ListJobsRequest());
  if (!jobs.ok()) return jobs.status();
  absl::StatusOr<std::vector<v1::Agent>> agents = backend.ListAgents();
  if (!agents.ok()) return agents.status();

  std::map<v1::JobState, int64_t> by_state;
  for (const v1::Job& j : *jobs) ++by_state[j.state()];
  for (v1::JobState s : AllJobStates()) {
    registry_.GetGauge(kJobs, kJobsHelp, {{"state", JobStateName(s)}})
        .Set(static_cast<double>(by_state[s]));
  }
  std::map<v1::AgentStatus, int64_t> by_status;
  for (const v1::Agent& a : *agents) ++by_status[a.status()];
  for (v1::AgentStatus s : AllAgentStatuses()) {
    registry_.GetGauge(kAgents, kAgentsHelp, {{"status", AgentStatusName(s)}})
        .Set(static_cast<double>(by_status[s]));
  }
  registry_.ClearGauges(kFps);
  for (const v1::Agent& a : *agents) {
    const bool working = a.status() == v1::AGENT_STATUS_BUSY || a.current_job_id() != 0;
    registry_.GetGauge(kFps, kFpsHelp, {{"agent", a.name()}})
        .Set(working ? a.progress().fps() : 0.0);
  }
  return absl::OkStatus();
}

void OpsMetrics::ObserveEvent(const v1::Event& event) {
  if (event.kind() != v1::EVENT_KIND_JOB_CHANGED) return;
  const v1::Job& job = event.job();
  std::vector<std::pair<std::string, double>> durations;
  bool retried = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = last_state_.find(job.id());
    const bool was_failed = it != last_state_.end() && it->second == v1::JOB_STATE_FAILED;
    retried = job.state() == v1::JOB_STATE_FAILED && !was_failed;
    if (last_state_.size() >= kMaxTrackedJobs && it == last_state_.end()) {
      last_state_.erase(last_state_.begin());  // lowest id = oldest job
    }
    last_state_[job.id()] = job.state();
    for (const v1::Step& s : job.steps()) {
      if (s.state() != v1::STEP_STATE_DONE || s.started_ms() <= 0 ||
          s.finished_ms() < s.started_ms()) {
        continue;
      }
      if (!seen_steps_.insert({job.id(), s.index(), s.finished_ms()}).second) continue;
      durations.emplace_back(s.name(), (s.finished_ms() - s.started_ms()) / 1000.0);
    }
    while (seen_steps_.size() > kMaxTrackedJobs * 8) seen_steps_.erase(seen_steps_.begin());
  }
  if (retried) registry_.GetCounter(kRetries, kRetriesHelp).Increment();
  for (const auto& [step, seconds] : durations) {
    RecordStepDuration(step, absl::Seconds(seconds));
  }
}

void OpsMetrics::RecordLeaseExpiry() { registry_.GetCounter(kLeases, kLeasesHelp).Increment(); }

void OpsMetrics::RecordBytes(int64_t read, int64_t written) {
  if (read > 0) registry_.GetCounter(kRead, kReadHelp).Increment(static_cast<double>(read));
  if (written > 0) {
    registry_.GetCounter(kWritten, kWrittenHelp).Increment(static_cast<double>(written));
  }
}

void OpsMetrics::RecordStepDuration(absl::string_view step, absl::Duration duration) {
  registry_
      .GetHistogram(kStep, kStepHelp, StepDurationBuckets(),
                    {{"step", std::string(step.empty() ? "unnamed" : step)}})
      .Observe(absl::ToDoubleSeconds(duration));
}

}  // namespace mkvfleet::http
