// The StepRunner's TaskReporter backed by the coordinator: step reports retried (capped, jittered
// backoff) while the coordinator is unreachable, e.g. restarting, until delivered, refused, or the
// task is cancelled; job log lines and progress are best effort.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "agent/coordinator_client.h"
#include "agent/lease_keeper.h"
#include "agent/step_runner.h"
#include "agent/task.h"

namespace mkvfleet::agent {

// Storage I/O counters of this process as /proc/self/io reports them: the agent's threads plus
// the child processes it has waited for (the kernel adds a reaped child's counts to its parent).
// read_bytes counts what was fetched from storage (page-cache hits are not reads); written is
// write_bytes - cancelled_write_bytes (dirtied pages, less those truncated before writeback).
struct ProcessIo {
  int64_t read_bytes = 0;
  int64_t written_bytes = 0;
};
// Parses the text of /proc/self/io; missing fields count as 0. Pure.
ProcessIo ParseProcessIo(const std::string& text);
// Reads /proc/self/io; nullopt where it is not available (then steps report 0 = not measured).
std::optional<ProcessIo> ReadProcessIo();

// One per task; used from the runner's thread (Log/UpdateProgress also from step helper threads).
class CoordinatorReporter final : public TaskReporter {
 public:
  // All references must outlive the reporter. `cancel` ends report retries (returns Cancelled).
  CoordinatorReporter(CoordinatorClient& client, LeaseKeeper& keeper, const Task& task,
                      std::string agent_name, const std::atomic<bool>* cancel);

  absl::Status StepStarted(int index, const std::string& name) override;
  absl::Status StepFinished(int index, const std::string& name, const StepResult& result) override;
  absl::Status StepFailed(int index, const std::string& name, const std::string& error,
                          bool retryable, const std::vector<int>& redo_chunks) override;
  void Log(LogLevel level, const std::string& text) override;
  void UpdateProgress(const std::string& step, const Progress& progress) override;

 private:
  StepReport NewReport(StepReport::Event event, int index, const std::string& name) const;
  // Sets bytes_read/bytes_written of a Finished/Failed report from the counters since StepStarted.
  void AddStepIo(StepReport& report) const;
  absl::Status Deliver(const StepReport& report);

  CoordinatorClient& client_;
  LeaseKeeper& keeper_;
  const Task& task_;
  const std::string agent_name_;
  const std::atomic<bool>* cancel_;
  // Counters at the last StepStarted: Finished/Failed report the step's share of the I/O (the
  // agent runs one task at a time, so the process's counters are the step's).
  std::optional<ProcessIo> io_at_start_;
};

}  // namespace mkvfleet::agent
