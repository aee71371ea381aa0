// Temp-name + fsync + rename publishing, backups and free-space checks (see the header).
#include "agent/media/publish.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace fs = std::filesystem;
namespace {

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status FsyncPath(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open for fsync", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync failed on", path);
  return absl::OkStatus();
}

std::string ParentOf(const std::string& path) {
  std::string parent = fs::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// Copies a file's bytes and fsyncs the copy.
absl::Status CopyAndSync(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::none, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("cannot copy ", from, " to ", to, ": ", ec.message()));
  return FsyncPath(to, false);
}

}  // namespace

std::string PartPathFor(const std::string& dest, int64_t job_id) {
  const fs::path p(dest);
  return (p.parent_path() /
          absl::StrCat(".", p.filename().string(), ".mkvfleet-job", job_id, ".part"))
      .string();
}

absl::Status EnsureParentDir(const std::string& path) {
  std::error_code ec;
  fs::create_directories(ParentOf(path), ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create folder ", ParentOf(path), ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status CheckDestinationFree(const std::string& dest, const PublishPolicy& policy) {
  std::error_code ec;
  if (!policy.overwrite && fs::exists(fs::symlink_status(dest, ec))) {
    return absl::FailedPreconditionError(
        absl::StrCat("destination ", dest,
                     " already exists; not overwritten (set overwrite = true under "
                     "[pipeline] to replace it, or remove it and reset the job)"));
  }
  return absl::OkStatus();
}

absl::Status SyncFile(const std::string& path) { return FsyncPath(path, false); }
absl::Status SyncFolder(const std::string& folder) {
  return FsyncPath(folder.empty() ? "." : folder, true);
}

absl::Status PublishFile(const std::string& part, const std::string& dest,
                         const PublishPolicy& policy) {
  std::error_code ec;
  if (!fs::exists(part, ec)) {
    return absl::NotFoundError(absl::StrCat("output to publish ", part, " is missing"));
  }
  RETURN_IF_ERROR(CheckDestinationFree(dest, policy));
  RETURN_IF_ERROR(FsyncPath(part, false));
  if (policy.overwrite) {
    if (::rename(part.c_str(), dest.c_str()) != 0) return Errno("cannot rename to", dest);
  } else if (::renameat2(AT_FDCWD, part.c_str(), AT_FDCWD, dest.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) return CheckDestinationFree(dest, policy);
    if (errno != EINVAL && errno != ENOSYS) return Errno("cannot rename to", dest);
    // Filesystems without RENAME_NOREPLACE: link() refuses an existing name just as well.
    if (::link(part.c_str(), dest.c_str()) != 0) {
      if (errno == EEXIST) return CheckDestinationFree(dest, policy);
      return Errno("cannot link to", dest);
    }
    ::unlink(part.c_str());
  }
  return FsyncPath(ParentOf(dest), true);
}

absl::StatusOr<std::string> MoveToBackup(const std::string& source, const std::string& backup_dir) {
  std::error_code ec;
  fs::create_directories(backup_dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create backup folder ", backup_dir, ": ", ec.message()));
  }
  const std::string target = (fs::path(backup_dir) / fs::path(source).filename()).string();
  if (fs::exists(fs::symlink_status(target, ec))) {
    return absl::FailedPreconditionError(absl::StrCat(
        "backup ", target, " already exists; the source ", source, " was left in place"));
  }
  if (::renameat2(AT_FDCWD, source.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
    RETURN_IF_ERROR(FsyncPath(backup_dir, true));
    RETURN_IF_ERROR(FsyncPath(ParentOf(source), true));
    return target;
  }
  if (errno != EXDEV) return Errno("cannot move source to backup folder:", source);
  const std::string tmp = target + ".mkvfleet-part";
  if (absl::Status s = CopyAndSync(source, tmp); !s.ok()) {
    fs::remove(tmp, ec);
    return s;
  }
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
    absl::Status s = Errno("cannot rename backup copy to", target);
    fs::remove(tmp, ec);
    return s;
  }
  RETURN_IF_ERROR(FsyncPath(backup_dir, true));
  if (::unlink(source.c_str()) != 0) return Errno("backup made but cannot remove source", source);
  return target;
}

std::string ChunkFolderFor(const std::string& shared_work_dir, int64_t job_id) {
  return (fs::path(shared_work_dir) / "mkvfleet-chunks" / absl::StrCat("job-", job_id)).string();
}

absl::Status RemoveChunkFolder(const std::string& folder, int64_t job_id) {
  fs::path p = fs::path(folder).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // a trailing '/'
  if (p.filename() != absl::StrCat("job-", job_id) ||
      p.parent_path().filename() != "mkvfleet-chunks") {
    return absl::InvalidArgumentError(absl::StrCat("refusing to remove ", folder, ": not the ",
                                                   "chunk folder mkvfleet-chunks/job-", job_id));
  }
  std::error_code ec;
  fs::remove_all(p, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot remove chunk folder ", p.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

FreeSpaceFn RealFreeSpace() {
  return [](const std::string& folder) -> absl::StatusOr<int64_t> {
    fs::path p = folder.empty() ? fs::path(".") : fs::path(folder);
    std::error_code ec;
    while (!fs::exists(p, ec) && p.has_parent_path() && p != p.parent_path()) p = p.parent_path();
    struct statvfs st {};
    if (::statvfs(p.c_str(), &st) != 0) return Errno("cannot read free space of", p.string());
    return static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
  };
}

absl::Status CheckFreeSpace(const FreeSpaceFn& free_space, const std::string& folder,
                            int64_t needed, const std::string& what) {
  ASSIGN_OR_RETURN(const int64_t free, free_space(folder));
  if (free < needed) {
    return absl::ResourceExhaustedError(absl::StrCat("not enough free space in ", folder, " for ",
                                                     what, ": ", free, " bytes free, ", needed,
                                                     " bytes needed"));
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::agent::media
