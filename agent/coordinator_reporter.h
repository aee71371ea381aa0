// The StepRunner's TaskReporter backed by the coordinator: step reports retried (capped, jittered
// backoff) while the coordinator is unreachable, e.g. restarting, until delivered, refused, or the
// task is cancelled; job log lines and progress are best effort.
#pragma once

#include <atomic>
#include <string>

#include "agent/coordinator_client.h"
#include "agent/lease_keeper.h"
#include "agent/step_runner.h"
#include "agent/task.h"

namespace mkvfleet::agent {

// One per task; used from the runner's thread (Log/UpdateProgress also from step helper threads).
class CoordinatorReporter final : public TaskReporter {
 public:
  // All references must outlive the reporter. `cancel` ends report retries (returns Cancelled).
  CoordinatorReporter(CoordinatorClient& client, LeaseKeeper& keeper, const Task& task,
                      std::string agent_name, const std::atomic<bool>* cancel);

  absl::Status StepStarted(int index, const std::string& name) override;
  absl::Status StepFinished(int index, const std::string& name, const StepResult& result) override;
  absl::Status StepFailed(int index, const std::string& name, const std::string& error,
                          bool retryable) override;
  void Log(LogLevel level, const std::string& text) override;
  void UpdateProgress(const std::string& step, const Progress& progress) override;

 private:
  StepReport NewReport(StepReport::Event event, int index, const std::string& name) const;
  absl::Status Deliver(const StepReport& report);

  CoordinatorClient& client_;
  LeaseKeeper& keeper_;
  const Task& task_;
  const std::string agent_name_;
  const std::atomic<bool>* cancel_;
};

}  // namespace mkvfleet::agent
