// Putting a verified output in place without ever leaving a half-written file at the destination
// or touching the source: outputs are written under a hidden temporary name in the destination
// folder, fsynced, and renamed; an existing destination is kept unless the policy says otherwise;
// the optional replace policy moves the source into a backup folder only after the output is in
// place; a chunked job's shared chunk folder goes once its output is published. Plain filesystem
// calls; tests run them on temp folders.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mkvfleet::agent::media {

// How a verified output replaces what is there.
struct PublishPolicy {
  bool overwrite = false;  // replace an existing destination file
  bool replace = false;    // move the source to backup_dir after publishing
  std::string backup_dir;  // REQUIRES: non-empty when replace
};

// The hidden temporary name an output is written under before publishing:
// "<dest dir>/.<dest name>.mkvfleet-job<job_id>.part".
std::string PartPathFor(const std::string& dest, int64_t job_id);

// Creates the destination's folder (and parents) when missing. Internal naming it on failure.
absl::Status EnsureParentDir(const std::string& path);

// Fails when `dest` exists and the policy forbids overwriting: FailedPrecondition naming it.
absl::Status CheckDestinationFree(const std::string& dest, const PublishPolicy& policy);

// fsyncs `part`, renames it to `dest` (atomically refusing an existing dest unless
// policy.overwrite) and fsyncs the folder. Errors: FailedPrecondition when dest exists and may not
// be overwritten (part left as it is: the caller removes it); NotFound when part is missing;
// Internal for I/O errors, naming the file.
absl::Status PublishFile(const std::string& part, const std::string& dest,
                         const PublishPolicy& policy);

// fsyncs one file (its data and size on disk). Internal naming the file on failure. Used by
// verify to write the part file back while the checks read it; PublishFile fsyncs again.
absl::Status SyncFile(const std::string& path);
// fsyncs a folder, so names just renamed into it are durable ("" = the current folder).
// Internal naming the folder on failure.
absl::Status SyncFolder(const std::string& folder);

// Moves `source` into `backup_dir` (same file name), by rename or, across filesystems, by copy +
// fsync + unlink. Returns the backup path. Errors: FailedPrecondition when the backup file already
// exists; Internal naming the file for I/O errors (the source is then still in place).
absl::StatusOr<std::string> MoveToBackup(const std::string& source, const std::string& backup_dir);

// The folder of chunked job `job_id`'s shared files (manifest, RPU slices, chunk outputs, the
// joined stream): "<shared_work_dir>/mkvfleet-chunks/job-<job_id>".
std::string ChunkFolderFor(const std::string& shared_work_dir, int64_t job_id);

// Removes `folder` with everything in it, once job `job_id` is published. Only a folder named as
// ChunkFolderFor names it ("job-<job_id>" inside "mkvfleet-chunks") is touched. OK when it is
// already gone. Errors: InvalidArgument naming a folder named otherwise (nothing removed);
// Internal naming the folder when it cannot be removed (what could be removed is gone).
absl::Status RemoveChunkFolder(const std::string& folder, int64_t job_id);

// Free bytes for an unprivileged writer in the filesystem holding `folder` (or its nearest
// existing ancestor). Injected into steps so tests can fake a full disk.
using FreeSpaceFn = std::function<absl::StatusOr<int64_t>(const std::string& folder)>;
FreeSpaceFn RealFreeSpace();

// OK when `folder` has at least `needed` free bytes; ResourceExhausted (retryable) naming the
// folder, the free and the needed bytes otherwise. `what` says what would be written.
absl::Status CheckFreeSpace(const FreeSpaceFn& free_space, const std::string& folder,
                            int64_t needed, const std::string& what);

}  // namespace mkvfleet::agent::media
