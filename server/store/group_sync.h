// GroupSync: group commit for the job table. The store commits each operation's transaction
// without waiting for the disk (SQLite WAL with synchronous=NORMAL: the commit is in the WAL file,
// safe from a coordinator crash but not yet from a power cut), then waits here until one fsync
// of the WAL covers it before it answers. Whoever arrives first while no fsync runs becomes the
// leader and syncs everything committed so far; the rest wait for it or for the next round, so a
// burst of N concurrent operations costs about two fsyncs instead of N, while each caller still
// gets its answer only after its change is durable. A failed fsync is sticky: nothing after it is
// reported durable (the coordinator must be restarted; the WAL replays what reached the disk).
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace mkvfleet::server {

class GroupSync {
 public:
  using SyncFunction = std::function<absl::Status()>;
  explicit GroupSync(SyncFunction sync) : sync_(std::move(sync)) {}

  // Records one more committed transaction and returns its ticket. Call right after the commit,
  // in commit order (under the store's lock).
  uint64_t Committed();
  // Returns once everything up to `ticket` is durable, or the fsync error.
  absl::Status WaitDurable(uint64_t ticket);
  // fsyncs run so far (for tests and metrics).
  uint64_t syncs() const;

 private:
  const SyncFunction sync_;
  mutable absl::Mutex mu_;
  uint64_t committed_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t durable_ ABSL_GUARDED_BY(mu_) = 0;
  bool syncing_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t syncs_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
};

// The SyncFunction for a SQLite database in WAL mode: fdatasync of `db_path`-wal. A missing WAL
// means everything was checkpointed into the database file, which SQLite syncs itself.
absl::Status SyncWalFile(const std::string& db_path);

}  // namespace mkvfleet::server
