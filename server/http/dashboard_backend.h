// What the web dashboard needs from the coordinator, as one small interface, so the HTTP layer is
// tested against an in-memory fake of the data and bound to the real coordinator by a thin adapter
// (GrpcAdminBackend, which goes through the same AdminService mkvctl uses).
//
// Types are the wire messages of mkvfleet.v1: the dashboard shows exactly what the admin API says.
// Errors follow the admin API: NotFound for an unknown job or agent, InvalidArgument for a bad
// request, FailedPrecondition for a refused transition, Unavailable when the coordinator is down.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mkvfleet/v1/admin.pb.h"
#include "mkvfleet/v1/jobs.pb.h"

namespace mkvfleet::http {

// Ends a Subscribe() when destroyed; after the destructor returns the sink is never called again.
class DashboardSubscription {
 public:
  virtual ~DashboardSubscription() = default;
};

// Implementations must be thread-safe: the HTTP server calls them from many worker threads.
class DashboardBackend {
 public:
  virtual ~DashboardBackend() = default;

  // One page of the jobs matching the request (no steps), with the next page's token and the
  // matching total, as the admin API's ListJobs returns it.
  virtual absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request) = 0;
  // Jobs per state over the whole table (states without jobs left out).
  virtual absl::StatusOr<v1::CountJobsResponse> CountJobs() = 0;
  // One job with its steps.
  virtual absl::StatusOr<v1::Job> GetJob(int64_t id) = 0;
  // The job's log, oldest first; tail 0 = everything.
  virtual absl::StatusOr<std::vector<v1::LogLine>> GetJobLog(int64_t id, int32_t tail) = 0;
  virtual absl::StatusOr<std::vector<v1::Agent>> ListAgents() = 0;

  // Actions, with the admin API's semantics.
  virtual absl::StatusOr<v1::EnqueueResponse> Enqueue(const std::vector<std::string>& paths) = 0;
  virtual absl::StatusOr<v1::Job> ResetJob(int64_t id, int32_t from_step) = 0;
  virtual absl::StatusOr<v1::Job> CancelJob(int64_t id) = 0;
  virtual absl::StatusOr<v1::Agent> DrainAgent(const std::string& name, bool undrain) = 0;

  // Live events (WatchEvents for every job) delivered to `sink` on a backend thread, in order,
  // until the returned subscription is destroyed. If the source breaks, the backend reconnects on
  // its own; the sink only sees events.
  virtual std::unique_ptr<DashboardSubscription> Subscribe(
      std::function<void(const v1::Event&)> sink) = 0;

  // OK when the job database is writable (GET /healthz); the error says what is wrong.
  virtual absl::Status CheckHealth() = 0;
};

}  // namespace mkvfleet::http
