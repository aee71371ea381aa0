// Watch folders: the coordinator notices new .mkv files in the library roots by itself. inotify
// reports files closed after writing, moved in, and new folders (watched recursively as they
// appear); a periodic full walk catches whatever inotify missed (queue overflow, network shares
// that send no events). Both feed a SettleTracker; a file whose size and mtime stayed the same for
// the settle time goes through EnqueuePaths, like a scan (path rules, dedup), exactly once per
// version. A root that looks unmounted (mount_check.h) is neither walked nor enqueued from.
//
//   auto watcher = LibraryWatcher::Start(store, library, settings, clock);
//   ...
//   (*watcher)->Stop();   // or let the destructor do it
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "server/clock.h"
#include "server/coordinator_config.h"
#include "server/library/library_scan.h"
#include "server/library/mount_check.h"
#include "server/library/settle_tracker.h"
#include "server/store/job_store.h"

namespace mkvfleet::server {

class LibraryWatcher {
 public:
  // Sets up inotify and starts the watch thread, which walks every root at once and then every
  // settings.rescan. `store`, `library` and `clock` must outlive the watcher.
  // Errors: Internal naming the call when inotify or its wake-up descriptor cannot be created.
  static absl::StatusOr<std::unique_ptr<LibraryWatcher>> Start(JobStore& store,
                                                               const Library& library,
                                                               const WatchSettings& settings,
                                                               const Clock& clock);
  ~LibraryWatcher();  // Stop()
  LibraryWatcher(const LibraryWatcher&) = delete;
  LibraryWatcher& operator=(const LibraryWatcher&) = delete;

  // Ends the thread and closes the descriptors. Idempotent.
  void Stop();

 private:
  LibraryWatcher(JobStore& store, const Library& library, const WatchSettings& settings,
                 const Clock& clock);
  void Loop();
  // Walks every root that passes the mount check: (re)adds watches, observes each file.
  void Rescan();
  // Adds watches on `dir` and every folder below it; with `observe`, also observes their files.
  void WatchTree(const std::string& dir, bool observe);
  // Reads and handles every queued inotify event; false when the queue overflowed.
  bool DrainEvents();
  void ObservePath(const std::string& path);
  // Re-stats due files; enqueues the settled ones whose root passes the mount check.
  void EnqueueSettled();
  // The root `path` lies under, or "".
  std::string RootOf(const std::string& path) const;
  // The mount check for `root`, logging when its verdict changes.
  bool RootUsable(const std::string& root);

  JobStore& store_;
  const Library& library_;
  const WatchSettings settings_;
  const Clock& clock_;
  const FsView fs_ = RealFsView();
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Stop() writes to it
  std::thread thread_;
  bool stopped_ = false;  // Stop() has run (Stop is called from one thread: the owner)

  // Loop thread only:
  SettleTracker tracker_;
  std::map<int, std::string> watched_;        // watch descriptor -> directory
  std::map<std::string, bool> root_usable_;   // last verdict per root, for transition logs
};

}  // namespace mkvfleet::server
