// Per-job temp folders under the agent's --work-dir: "<work_dir>/jobs/job-<id>". A job's folder
// lives while this agent may still resume the job and is removed when the job ends here; a
// restarted agent keeps only the folder of the job it held last and removes every other leftover.
// The work dir also keeps the agent's instance token, which tells the coordinator this
// installation apart from another agent using the same name (agent.proto RegisterRequest).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace mkvfleet::agent {

// Not thread-safe: used by the agent's claim loop only.
class WorkDirs {
 public:
  explicit WorkDirs(std::string root) : root_(std::move(root)) {}

  // Creates the root (and jobs/) when missing. Internal naming the folder when it cannot.
  absl::Status Prepare();
  // Folder of `job_id`, created if missing. Records the job as the one held last.
  absl::StatusOr<std::string> ForJob(int64_t job_id);
  // Removes the folder of `job_id` (no error when it is gone).
  void Remove(int64_t job_id);
  // Removes every job folder except that of `keep` (when set). Returns how many were removed.
  int RemoveAllExcept(std::optional<int64_t> keep);
  // The job recorded by the last ForJob(), also across restarts; nullopt when none.
  std::optional<int64_t> LastHeldJob() const;
  // "<token>-<boot id>": a random token kept in the work dir (created on first use, so the same
  // across restarts of this agent) and the kernel's boot id read from `boot_id_file` (different
  // on another machine or a cloned VM, even one that copied the work dir). Without a readable
  // boot id, the token alone. Internal when the token cannot be stored.
  absl::StatusOr<std::string> InstanceId(
      const std::string& boot_id_file = "/proc/sys/kernel/random/boot_id") const;
  const std::string& root() const { return root_; }

 private:
  std::string JobsDir() const;
  std::string root_;
};

}  // namespace mkvfleet::agent
