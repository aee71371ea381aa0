// An exclusive lock on the coordinator's state dir (flock on DIR/coordinator.lock), so two
// coordinators can never serve the same job table. Released when the object is destroyed or the
// process dies (even by SIGKILL).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace mkvfleet::server {

class StateDirLock {
 public:
  // Creates `dir` when missing and takes the lock. FailedPrecondition naming the dir when another
  // process holds it or the dir cannot be created/written.
  static absl::StatusOr<std::unique_ptr<StateDirLock>> Acquire(const std::string& dir);
  ~StateDirLock();
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;

 private:
  explicit StateDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace mkvfleet::server
