// inotify + periodic rescan feeding the settle rule; see library_watcher.h.
#include "server/library/library_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "server/library/library_paths.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::server {
namespace {

constexpr uint32_t kDirMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE |
                              IN_MOVED_FROM | IN_DELETE_SELF | IN_ONLYDIR;
// Longest wait between looks at the clock when nothing is due (also bounds rescan lateness).
constexpr int64_t kMaxPollMs = 1000;

std::optional<FileObservation> StatFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  FileObservation obs;
  obs.path = path;
  obs.size_bytes = st.st_size;
  obs.mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
  return obs;
}

}  // namespace

LibraryWatcher::LibraryWatcher(JobStore& store, const Library& library,
                               const WatchSettings& settings, const Clock& clock)
    : store_(store), library_(library), settings_(settings), clock_(clock),
      tracker_(absl::ToInt64Milliseconds(settings.settle)) {}

absl::StatusOr<std::unique_ptr<LibraryWatcher>> LibraryWatcher::Start(
    JobStore& store, const Library& library, const WatchSettings& settings, const Clock& clock) {
  std::unique_ptr<LibraryWatcher> w(new LibraryWatcher(store, library, settings, clock));
  w->inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (w->inotify_fd_ < 0) {
    return absl::InternalError(absl::StrCat(
        "watch: inotify_init1 failed: ", std::strerror(errno),
        " (raise fs.inotify.max_user_instances, or disable [watch])"));
  }
  w->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (w->wake_fd_ < 0) {
    return absl::InternalError(absl::StrCat("watch: eventfd failed: ", std::strerror(errno)));
  }
  spdlog::info("watch started roots={} settle_s={} rescan_s={} marker_file={}",
               library.roots.size(), absl::ToInt64Seconds(settings.settle),
               absl::ToInt64Seconds(settings.rescan),
               library.marker_file.empty() ? "-" : library.marker_file);
  w->thread_ = std::thread([raw = w.get()] { raw->Loop(); });
  return w;
}

LibraryWatcher::~LibraryWatcher() { Stop(); }

void LibraryWatcher::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  inotify_fd_ = wake_fd_ = -1;
}

std::string LibraryWatcher::RootOf(const std::string& path) const {
  for (const std::string& root : library_.roots) {
    if (IsUnder(path, root)) return root;
  }
  return "";
}

bool LibraryWatcher::RootUsable(const std::string& root) {
  const absl::Status st = CheckRootMounted(root, library_.marker_file, fs_);
  auto [it, inserted] = root_usable_.try_emplace(root, st.ok());
  if (inserted || it->second != st.ok()) {
    if (st.ok()) {
      spdlog::info("watch root usable root={}", root);
    } else {
      spdlog::warn("watch refused root={} reason=\"{}\"", root, std::string(st.message()));
    }
  }
  it->second = st.ok();
  return st.ok();
}

void LibraryWatcher::ObservePath(const std::string& path) {
  if (!IsScanCandidate(library_, path)) return;
  if (auto obs = StatFile(path)) tracker_.Observe(*obs, clock_.NowMs());
}

void LibraryWatcher::WatchTree(const std::string& dir, bool observe) {
  if (!IsScannedDir(library_, dir)) return;
  const int wd = inotify_add_watch(inotify_fd_, dir.c_str(), kDirMask);
  if (wd < 0) {
    spdlog::warn("watch cannot watch folder dir={} error=\"{}\" (the periodic rescan still sees it)",
                 dir, std::strerror(errno));
  } else {
    watched_[wd] = dir;
  }
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string path = it->path().string();
    std::error_code kind_ec;
    if (it->is_directory(kind_ec) && !it->is_symlink(kind_ec)) {
      WatchTree(path, observe);
    } else if (observe && it->is_regular_file(kind_ec)) {
      ObservePath(path);
    }
  }
}

void LibraryWatcher::Rescan() {
  for (const std::string& root : library_.roots) {
    if (!RootUsable(root)) continue;
    WatchTree(root, /*observe=*/true);  // re-adding a watch is harmless (same descriptor)
  }
  spdlog::debug("watch rescan done pending={} watched_dirs={}", tracker_.pending(),
                watched_.size());
}

bool LibraryWatcher::DrainEvents() {
  alignas(inotify_event) char buf[64 * 1024];
  bool overflow = false;
  while (true) {
    const ssize_t n = ::read(inotify_fd_, buf, sizeof(buf));
    if (n <= 0) break;  // EAGAIN: drained
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) {
        overflow = true;
        continue;
      }
      if (ev->mask & IN_IGNORED) {
        watched_.erase(ev->wd);
        continue;
      }
      auto dir = watched_.find(ev->wd);
      if (dir == watched_.end() || ev->len == 0) continue;
      const std::string path = absl::StrCat(dir->second, "/", ev->name);
      if (ev->mask & IN_ISDIR) {
        // A new folder (created or moved in): watch it and everything already inside.
        if (ev->mask & (IN_CREATE | IN_MOVED_TO)) WatchTree(path, /*observe=*/true);
        continue;
      }
      if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
        tracker_.Forget(path);
      } else {
        ObservePath(path);  // IN_CREATE, IN_CLOSE_WRITE, IN_MOVED_TO
      }
    }
  }
  return !overflow;
}

void LibraryWatcher::EnqueueSettled() {
  const int64_t now = clock_.NowMs();
  std::vector<std::string> ready;
  for (const std::string& path : tracker_.Due(now)) {
    auto current = StatFile(path);
    if (!current) {
      tracker_.Forget(path);  // gone before it settled
      continue;
    }
    if (!tracker_.Confirm(*current, now)) continue;  // still changing: settle again
    const std::string root = RootOf(path);
    if (root.empty() || !RootUsable(root)) {
      tracker_.Unhandle(path);  // a later rescan looks again once the root is back
      spdlog::warn("watch skipped path=\"{}\" reason=\"library root {} looks unmounted\"", path,
                   root.empty() ? "(none)" : root);
      continue;
    }
    ready.push_back(path);
  }
  if (ready.empty()) return;
  auto records = EnqueuePaths(store_, library_, ready, "", /*dry_run=*/false);
  if (!records.ok()) {
    for (const std::string& path : ready) tracker_.Unhandle(path);  // retried on the next pass
    spdlog::error("watch enqueue failed files={} error=\"{}\"", ready.size(),
                  std::string(records.status().message()));
    return;
  }
  for (const EnqueueRecord& r : *records) {
    spdlog::info("watch enqueue path=\"{}\" outcome={} job={}{}{}", r.path,
                 EnqueueOutcomeName(r.outcome), r.job_id, r.reason.empty() ? "" : " reason=",
                 r.reason.empty() ? "" : absl::StrCat("\"", r.reason, "\""));
    // Deferred because an older job of this path still runs: look again on the next rescan.
    if (r.outcome == EnqueueOutcome::kRefused && r.job_id != 0) tracker_.Unhandle(r.path);
  }
}

void LibraryWatcher::Loop() {
  const int64_t rescan_ms = absl::ToInt64Milliseconds(settings_.rescan);
  int64_t next_rescan = clock_.NowMs();  // walk at once
  while (true) {
    const int64_t now = clock_.NowMs();
    if (now >= next_rescan) {
      Rescan();
      next_rescan = now + rescan_ms;
    }
    EnqueueSettled();
    int64_t wake = std::min(next_rescan, clock_.NowMs() + kMaxPollMs);
    if (auto due = tracker_.NextDueMs()) wake = std::min(wake, *due);
    const int timeout = static_cast<int>(std::max<int64_t>(0, wake - clock_.NowMs()));
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) {
      spdlog::error("watch poll failed error=\"{}\"; watch stops", std::strerror(errno));
      return;
    }
    if (fds[1].revents & POLLIN) return;  // Stop()
    if (fds[0].revents & POLLIN) {
      if (!DrainEvents()) {
        spdlog::warn("watch event queue overflowed: rescanning every root");
        next_rescan = clock_.NowMs();
      }
    }
  }
}

}  // namespace mkvfleet::server
