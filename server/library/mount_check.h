// Is a library root really there? A NAS share that failed to mount leaves an empty mount point (or
// none); scanning it would make the library look gone. Scans and the watcher refuse such a root.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace mkvfleet::server {

// The filesystem as the check sees it; injected so tests need no mounts.
struct FsView {
  std::function<bool(const std::string& path)> is_directory;
  std::function<bool(const std::string& path)> exists;       // any kind of entry
  std::function<bool(const std::string& dir)> has_entries;   // at least one entry besides . and ..
};

// The real filesystem (stat / opendir; errors count as "no").
FsView RealFsView();

// OK when `root` is a directory with at least one entry and, when `marker_file` is set (a path
// relative to the root, e.g. ".mkvfleet-library"), that entry exists. Otherwise
// FailedPrecondition: "library root ROOT looks unmounted: it is missing | it is empty | it lacks
// the marker file NAME; ..." saying what to do. Pure over `fs`.
absl::Status CheckRootMounted(const std::string& root, const std::string& marker_file,
                              const FsView& fs);

}  // namespace mkvfleet::server
