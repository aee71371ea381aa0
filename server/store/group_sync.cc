// GroupSync (see the header): leader/follower fsync batching.
#include "server/store/group_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace mkvfleet::server {

uint64_t GroupSync::Committed() {
  absl::MutexLock lock(&mu_);
  return ++committed_;
}

absl::Status GroupSync::WaitDurable(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  while (true) {
    if (!failed_.ok()) return failed_;
    if (durable_ >= ticket) return absl::OkStatus();
    if (!syncing_) break;
    mu_.Await(absl::Condition(
        +[](bool* syncing) { return !*syncing; }, &syncing_));
  }
  syncing_ = true;
  const uint64_t target = committed_;
  mu_.Unlock();
  absl::Status st = sync_();
  mu_.Lock();
  syncing_ = false;
  ++syncs_;
  if (!st.ok()) {
    failed_ = st;
    return st;
  }
  if (target > durable_) durable_ = target;
  return absl::OkStatus();
}

uint64_t GroupSync::syncs() const {
  absl::MutexLock lock(&mu_);
  return syncs_;
}

absl::Status SyncWalFile(const std::string& db_path) {
  const std::string wal = db_path + "-wal";
  const int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open ", wal, " to sync it: ", std::strerror(errno)));
  }
  const int rc = ::fdatasync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) {
    return absl::DataLossError(absl::StrCat("fdatasync of ", wal, " failed: ", std::strerror(err),
                                            ": recent changes may not be durable; restart the "
                                            "coordinator"));
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::server
