// The coordinator's Prometheus metrics, named in one place. Three sources feed them:
//  - scrape time (Refresh): jobs by state and agents by status from the admin API, frames/s per
//    agent from their last heartbeat;
//  - the live event stream (ObserveEvent): step durations of finished steps, retries (a job
//    entering "failed");
//  - the coordinator's own code (the Record* calls): lease expiries and bytes read/written, which
//    no event describes.
#pragma once

#include <cstdint>
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

// Thread-safe. The registry must outlive this object.
class OpsMetrics {
 public:
  explicit OpsMetrics(metrics::Registry& registry);

  // mkvfleet_jobs{state} for every state (zeros included), mkvfleet_agents{status} for every
  // status, mkvfleet_agent_frames_per_second{agent}. Errors from the backend are returned and
  // leave the previous values in place.
  absl::Status Refresh(DashboardBackend& backend);

  // Derives step durations (mkvfleet_step_duration_seconds{step}) and retries
  // (mkvfleet_job_retries_total) from one live event. Each finished step is counted once.
  void ObserveEvent(const v1::Event& event);

  // For the coordinator: a lease expired (mkvfleet_lease_expiries_total).
  void RecordLeaseExpiry();
  // For the coordinator: bytes an agent reported reading / writing
  // (mkvfleet_bytes_read_total / mkvfleet_bytes_written_total).
  void RecordBytes(int64_t read, int64_t written);
  // For callers that know a step's duration first-hand.
  void RecordStepDuration(absl::string_view step, absl::Duration duration);

  metrics::Registry& registry() { return registry_; }

 private:
  metrics::Registry& registry_;
  absl::Mutex mu_;
  // Last state seen per job, to count transitions into "failed" once.
  std::map<int64_t, v1::JobState> last_state_ ABSL_GUARDED_BY(mu_);
  // (job, step index, finished_ms) already observed.
  std::set<std::tuple<int64_t, int32_t, int64_t>> seen_steps_ ABSL_GUARDED_BY(mu_);
};

// Bucket bounds of the step duration histogram, in seconds (1 s .. 12 h).
const std::vector<double>& StepDurationBuckets();

}  // namespace mkvfleet::http
