// Periodic lease expiry and stale-agent marking.
#include "server/lease_reaper.h"

#include "spdlog/spdlog.h"

namespace mkvfleet::server {

void LeaseReaper::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void LeaseReaper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void LeaseReaper::RunOnce() {
  if (auto expired = store_.ExpireLeases(); !expired.ok()) {
    spdlog::error("lease reaper failed error=\"{}\"", std::string(expired.status().message()));
  }
  if (auto stale = store_.MarkStaleAgents(); !stale.ok()) {
    spdlog::error("stale agent check failed error=\"{}\"", std::string(stale.status().message()));
  }
}

void LeaseReaper::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_);
      if (stopping_) return;
    }
    RunOnce();
  }
}

}  // namespace mkvfleet::server
