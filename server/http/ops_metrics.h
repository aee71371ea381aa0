// The coordinator's Prometheus metrics, named in one place. Three sources feed them:
//  - scrape time (Refresh): jobs by state and agents by status from the admin API, frames/s per
//    agent from their last heartbeat, and the coordinator's running totals (lease expiries from
//    the lease reaper, retries from the state machine's retry path, bytes read/written that
//    agents report per step) through the totals source;
//  - the live event stream (ObserveEvent): step durations of finished steps.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/metrics/registry.h"
#include "mkvfleet/v1/admin.pb.h"
#include "server/http/dashboard_backend.h"

namespace mkvfleet::http {

// Running totals kept by the coordinator itself (mirrors server::StoreTotals without depending on
// the server library).
struct CoordinatorTotals {
  int64_t lease_expiries = 0;
  int64_t retries = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
};

// Thread-safe. The registry must outlive this object.
class OpsMetrics {
 public:
  explicit OpsMetrics(metrics::Registry& registry);

  // mkvfleet_jobs{state} for every state (zeros included), mkvfleet_agents{status} for every
  // status, mkvfleet_agent_frames_per_second{agent}. Errors from the backend are returned and
  // leave the previous values in place.
  absl::Status Refresh(DashboardBackend& backend);

  // Derives step durations (mkvfleet_step_duration_seconds{step}) from one live event. Each
  // finished step is counted once.
  void ObserveEvent(const v1::Event& event);

  // Where Refresh reads the coordinator's running totals (e.g. JobStore::Totals); unset = none.
  void SetTotalsSource(std::function<CoordinatorTotals()> source);
  // Moves mkvfleet_lease_expiries_total, mkvfleet_job_retries_total, mkvfleet_bytes_read_total and
  // mkvfleet_bytes_written_total up to `totals` (counters never go down: a smaller total, e.g.
  // after a restart of its source, is taken as the new baseline).
  void ApplyTotals(const CoordinatorTotals& totals);
  // For callers that know a step's duration first-hand.
  void RecordStepDuration(absl::string_view step, absl::Duration duration);

  metrics::Registry& registry() { return registry_; }

 private:
  metrics::Registry& registry_;
  absl::Mutex mu_;
  std::function<CoordinatorTotals()> totals_source_ ABSL_GUARDED_BY(mu_);
  CoordinatorTotals applied_ ABSL_GUARDED_BY(mu_);  // what the counters already include
  // (job, step index, finished_ms) already observed.
  std::set<std::tuple<int64_t, int32_t, int64_t>> seen_steps_ ABSL_GUARDED_BY(mu_);
};

// Bucket bounds of the step duration histogram, in seconds (1 s .. 12 h).
const std::vector<double>& StepDurationBuckets();

}  // namespace mkvfleet::http
