// Heartbeat thread (see the header).
#include "agent/lease_keeper.h"

#include <algorithm>

#include "agent/tool_discovery.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::agent {

LeaseKeeper::LeaseKeeper(CoordinatorClient& client, std::string agent_name, std::string work_dir)
    : client_(client), agent_name_(std::move(agent_name)), work_dir_(std::move(work_dir)) {}

LeaseKeeper::~LeaseKeeper() { Stop(); }

void LeaseKeeper::Start(absl::Duration interval) {
  SetInterval(interval);
  thread_ = std::thread([this] { Loop(); });
}

void LeaseKeeper::SetInterval(absl::Duration interval) {
  absl::MutexLock lock(&mu_);
  interval_ = std::max(interval, absl::Milliseconds(100));
  beat_now_ = true;
}

void LeaseKeeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::Hold(const Task& task, std::atomic<bool>* cancel) {
  absl::MutexLock lock(&mu_);
  lease_ = LeaseProgressInfo{task.lease_id, task.task_id, "", Progress{}};
  cancel_ = cancel;
  revoked_ = false;
  beat_now_ = true;
}

void LeaseKeeper::Drop() {
  absl::MutexLock lock(&mu_);
  lease_.reset();
  cancel_ = nullptr;
}

void LeaseKeeper::UpdateProgress(const std::string& step, const Progress& progress) {
  absl::MutexLock lock(&mu_);
  if (!lease_) return;
  lease_->step = step;
  lease_->progress = progress;
}

void LeaseKeeper::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(this, &LeaseKeeper::ShouldWake), interval_);
      if (stopping_) return;
      beat_now_ = false;
    }
    Beat();
  }
}

void LeaseKeeper::Beat() {
  std::vector<LeaseProgressInfo> leases;
  {
    absl::MutexLock lock(&mu_);
    if (lease_) leases.push_back(*lease_);
  }
  auto free_bytes = FreeBytes(work_dir_);
  auto reply = client_.Heartbeat(agent_name_, leases, free_bytes.ok() ? *free_bytes : 0);
  absl::MutexLock lock(&mu_);
  if (!reply.ok()) {
    if (!was_unreachable_) {
      spdlog::warn("heartbeat failed agent={} error=\"{}\"", agent_name_,
                   std::string(reply.status().message()));
    }
    was_unreachable_ = true;
    return;
  }
  if (was_unreachable_) spdlog::info("heartbeat ok again agent={}", agent_name_);
  was_unreachable_ = false;
  drained_ = reply->drained;
  if (!lease_) return;
  for (const auto& id : reply->revoked_lease_ids) {
    if (id != lease_->lease_id) continue;
    spdlog::warn("lease revoked by coordinator task={}: stopping the task", lease_->task_id);
    revoked_ = true;
    if (cancel_) *cancel_ = true;
  }
}

}  // namespace mkvfleet::agent
