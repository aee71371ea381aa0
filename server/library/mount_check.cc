// The "looks unmounted" rule for library roots.
#include "server/library/mount_check.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mkvfleet::server {

FsView RealFsView() {
  FsView fs;
  fs.is_directory = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  };
  fs.exists = [](const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
  };
  fs.has_entries = [](const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return false;
    bool any = false;
    while (const dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
        any = true;
        break;
      }
    }
    ::closedir(d);
    return any;
  };
  return fs;
}

absl::Status CheckRootMounted(const std::string& root, const std::string& marker_file,
                              const FsView& fs) {
  auto refuse = [&](const std::string& why, const std::string& fix) {
    return absl::FailedPreconditionError(
        absl::StrCat("library root ", root, " looks unmounted: ", why, "; not scanning it (", fix,
                     ")"));
  };
  if (!fs.is_directory(root)) {
    return refuse("it is missing", "mount the library there, or fix library_roots");
  }
  if (!fs.has_entries(root)) return refuse("it is empty", "mount the library there");
  if (!marker_file.empty() && !fs.exists(absl::StrCat(root, "/", marker_file))) {
    return refuse(absl::StrCat("it lacks the marker file ", marker_file),
                  absl::StrCat("mount the library, or create ", root, "/", marker_file,
                               " on the share"));
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::server
