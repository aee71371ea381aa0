// Enqueue and Scan: turning admin-given paths, a walk of the library roots, or the configured test
// file into EnqueueRecords (path rules first, then the store's dedup). Thread-safe (no state
// beyond the immutable Library).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/store/job_store.h"

namespace mkvfleet::server {

// The library as configured: canonical roots, where outputs go, the trial file.
struct Library {
  std::vector<std::string> roots;  // canonical
  std::string output_dir;          // "" = beside the source
  std::string test_file;           // "" = none configured
  std::string marker_file;         // relative to each root; "" = no marker required

  // Canonicalises the roots (InvalidArgument naming a bad one).
  static absl::StatusOr<Library> Create(const std::vector<std::string>& roots,
                                        const std::string& output_dir,
                                        const std::string& test_file,
                                        const std::string& marker_file = "");
};

enum class ScanMode { kFull, kFiles, kTestFile };

// Applies the path rules to each path (refusals become kRefused records with the reason), then
// enqueues the accepted ones in one store transaction. Results keep the input order.
// `chunks_requested`: 0 = auto, 1 = never, N >= 2 = exactly N chunks (Job::chunks_requested);
// `repair_rpus`: Job::repair_rpus.
absl::StatusOr<std::vector<EnqueueRecord>> EnqueuePaths(JobStore& store, const Library& library,
                                                        const std::vector<std::string>& paths,
                                                        const std::string& plan_override,
                                                        bool dry_run, int chunks_requested = 0,
                                                        bool repair_rpus = false);

// kFull first checks every root with CheckRootMounted (mount_check.h): a root that looks
// unmounted fails the whole scan with FailedPrecondition naming it and why, enqueuing nothing;
// then it walks every root for .mkv files (skipping our own *.DV81.mkv outputs and anything under
// output_dir); kFiles takes `paths`; kTestFile takes library.test_file (FailedPrecondition when
// none is configured). Then as EnqueuePaths (walked files with ResolveWalkedFile: the same rules
// at one lstat per file).
absl::StatusOr<std::vector<EnqueueRecord>> Scan(JobStore& store, const Library& library,
                                                ScanMode mode,
                                                const std::vector<std::string>& paths,
                                                const std::string& plan_override, bool dry_run);

// The .mkv files under the roots, sorted, as Scan(kFull) would consider them.
std::vector<std::string> FindLibraryMkvs(const Library& library);
// The same under one directory (a root or a folder inside one).
std::vector<std::string> FindMkvsUnder(const Library& library, const std::string& dir);
// Whether `path` (a regular file under a root) is one a scan would enqueue: .mkv, not one of our
// *.DV81.mkv outputs, not under output_dir.
bool IsScanCandidate(const Library& library, const std::string& path);
// Whether a directory is walked (not output_dir or under it).
bool IsScannedDir(const Library& library, const std::string& dir);

}  // namespace mkvfleet::server
