// Enqueue by path and library scans.
#include "server/library/library_scan.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "absl/strings/match.h"
#include "common/status/status_macros.h"
#include "server/library/library_paths.h"
#include "server/library/mount_check.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::server {
namespace fs = std::filesystem;

absl::StatusOr<Library> Library::Create(const std::vector<std::string>& roots,
                                        const std::string& output_dir, const std::string& test_file,
                                        const std::string& marker_file) {
  Library lib;
  ASSIGN_OR_RETURN(lib.roots, CanonicalLibraryRoots(roots));
  lib.output_dir = output_dir;
  if (!output_dir.empty()) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(output_dir, ec);
    if (!ec) lib.output_dir = c.string();
  }
  lib.test_file = test_file;
  lib.marker_file = marker_file;
  return lib;
}

namespace {

using PathResolver = absl::StatusOr<LibraryFile> (*)(const std::string&,
                                                     const std::vector<std::string>&);

// EnqueuePaths with the path rules applied by `resolve` (ResolveLibraryFile, or
// ResolveWalkedFile for the paths a full scan walked).
absl::StatusOr<std::vector<EnqueueRecord>> EnqueueResolved(JobStore& store, const Library& library,
                                                           const std::vector<std::string>& paths,
                                                           PathResolver resolve,
                                                           const std::string& plan_override,
                                                           bool dry_run, int chunks_requested,
                                                           bool repair_rpus) {
  std::vector<EnqueueRecord> out(paths.size());
  std::vector<EnqueueItem> items;
  std::vector<size_t> slots;
  items.reserve(paths.size());
  slots.reserve(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    auto file = resolve(paths[i], library.roots);
    if (!file.ok()) {
      out[i].path = paths[i];
      out[i].outcome = EnqueueOutcome::kRefused;
      out[i].reason = std::string(file.status().message());
      spdlog::info("enqueue refused path=\"{}\" reason=\"{}\"", paths[i], out[i].reason);
      continue;
    }
    EnqueueItem item;
    item.output_path = OutputPathFor(*file, library.output_dir);
    item.file = std::move(*file);
    item.plan_override = plan_override;
    item.chunks_requested = chunks_requested;
    item.repair_rpus = repair_rpus;
    items.push_back(std::move(item));
    slots.push_back(i);
  }
  if (!items.empty()) {
    ASSIGN_OR_RETURN(std::vector<EnqueueRecord> records, store.Enqueue(items, dry_run));
    for (size_t k = 0; k < slots.size(); ++k) out[slots[k]] = std::move(records[k]);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<EnqueueRecord>> EnqueuePaths(JobStore& store, const Library& library,
                                                        const std::vector<std::string>& paths,
                                                        const std::string& plan_override,
                                                        bool dry_run, int chunks_requested,
                                                        bool repair_rpus) {
  return EnqueueResolved(store, library, paths, &ResolveLibraryFile, plan_override, dry_run,
                         chunks_requested, repair_rpus);
}

bool IsScanCandidate(const Library& library, const std::string& path) {
  if (!HasMkvExtension(path)) return false;
  if (absl::EndsWithIgnoreCase(path, ".DV81.mkv")) return false;  // our own outputs
  return library.output_dir.empty() || !IsUnder(path, library.output_dir);
}

bool IsScannedDir(const Library& library, const std::string& dir) {
  return library.output_dir.empty() || !IsUnder(dir, library.output_dir);
}

std::vector<std::string> FindMkvsUnder(const Library& library, const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    spdlog::warn("scan cannot read folder dir={} error=\"{}\"", dir, ec.message());
    return found;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      spdlog::warn("scan skipped an entry dir={} error=\"{}\"", dir, ec.message());
      ec.clear();
      continue;
    }
    const std::string path = it->path().string();
    if (it->is_directory(ec)) {
      if (!IsScannedDir(library, path)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && IsScanCandidate(library, path)) found.push_back(path);
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<std::string> FindLibraryMkvs(const Library& library) {
  std::vector<std::string> found;
  for (const std::string& root : library.roots) {
    std::vector<std::string> more = FindMkvsUnder(library, root);
    found.insert(found.end(), more.begin(), more.end());
  }
  std::sort(found.begin(), found.end());
  return found;
}

absl::StatusOr<std::vector<EnqueueRecord>> Scan(JobStore& store, const Library& library,
                                                ScanMode mode,
                                                const std::vector<std::string>& paths,
                                                const std::string& plan_override, bool dry_run) {
  switch (mode) {
    case ScanMode::kFiles:
      return EnqueuePaths(store, library, paths, plan_override, dry_run);
    case ScanMode::kTestFile:
      if (library.test_file.empty()) {
        return absl::FailedPreconditionError(
            "no test file configured: set test_file in the coordinator config "
            "(or MKVFLEET_TEST_FILE)");
      }
      return EnqueuePaths(store, library, {library.test_file}, plan_override, dry_run);
    case ScanMode::kFull: {
      const FsView real = RealFsView();
      for (const std::string& root : library.roots) {
        if (absl::Status st = CheckRootMounted(root, library.marker_file, real); !st.ok()) {
          spdlog::warn("full scan refused root={} reason=\"{}\"", root, std::string(st.message()));
          return st;
        }
      }
      auto files = FindLibraryMkvs(library);
      spdlog::info("full scan roots={} files={} dry_run={}", library.roots.size(), files.size(),
                   dry_run);
      return EnqueueResolved(store, library, files, &ResolveWalkedFile, plan_override, dry_run,
                             /*chunks_requested=*/0, /*repair_rpus=*/false);
    }
  }
  return absl::InvalidArgumentError("unknown scan mode");
}

}  // namespace mkvfleet::server
