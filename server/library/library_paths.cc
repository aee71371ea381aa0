// Source path rules: canonicalise, stay inside the library roots, only regular .mkv files.
#include "server/library/library_paths.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mkvfleet::server {
namespace fs = std::filesystem;
namespace {

// realpath(3) wrapper; errno-style failure as a message.
bool RealPath(const std::string& path, std::string* out, int* err) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) {
    *err = errno;
    return false;
  }
  *out = buf;
  return true;
}

std::string RootsList(const std::vector<std::string>& roots) {
  return roots.empty() ? "(no library roots configured)" : absl::StrJoin(roots, ", ");
}

// The rules after resolving: `canonical` (what `path` resolves to) with its stat must be a
// regular .mkv file under one of `roots`.
absl::StatusOr<LibraryFile> FileFromStat(const std::string& path, const std::string& canonical,
                                         const struct stat& st,
                                         const std::vector<std::string>& roots);

}  // namespace

bool IsUnder(const std::string& path, const std::string& root) {
  if (root == "/") return absl::StartsWith(path, "/");
  if (!absl::StartsWith(path, root)) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

bool HasMkvExtension(const std::string& path) {
  // The file name is what follows the last '/' (as fs::path::filename, without building one:
  // this runs for every file of a scan).
  const size_t slash = path.rfind('/');
  const absl::string_view name = absl::string_view(path).substr(
      slash == std::string::npos ? 0 : slash + 1);
  return name.size() > 4 && absl::EndsWithIgnoreCase(name, ".mkv");
}

absl::StatusOr<std::vector<std::string>> CanonicalLibraryRoots(
    const std::vector<std::string>& roots) {
  std::vector<std::string> out;
  for (const std::string& root : roots) {
    if (root.empty() || root[0] != '/') {
      return absl::InvalidArgumentError(
          absl::StrCat("library root '", root, "' must be an absolute path"));
    }
    std::string canonical;
    int err = 0;
    if (!RealPath(root, &canonical, &err)) {
      return absl::InvalidArgumentError(
          absl::StrCat("library root ", root, " cannot be used: ", std::strerror(err)));
    }
    struct stat st {};
    if (::stat(canonical.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("library root ", root, " is not a directory"));
    }
    out.push_back(canonical);
  }
  return out;
}

absl::StatusOr<LibraryFile> ResolveLibraryFile(const std::string& path,
                                               const std::vector<std::string>& roots) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("path '", path, "' must be absolute (in the coordinator's namespace)"));
  }
  for (const auto& part : fs::path(path)) {
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("path ", path, " contains '..': give the plain path inside the library"));
    }
  }
  std::string canonical;
  int err = 0;
  if (!RealPath(path, &canonical, &err)) {
    if (err == ENOENT || err == ENOTDIR) {
      return absl::NotFoundError(absl::StrCat("file ", path, " does not exist"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("file ", path, " cannot be resolved: ", std::strerror(err)));
  }
  struct stat st {};
  if (::stat(canonical.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("file ", path, " does not exist"));
  }
  return FileFromStat(path, canonical, st, roots);
}

absl::StatusOr<LibraryFile> ResolveWalkedFile(const std::string& path,
                                              const std::vector<std::string>& roots) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) {
    return ResolveLibraryFile(path, roots);
  }
  return FileFromStat(path, path, st, roots);
}

namespace {

absl::StatusOr<LibraryFile> FileFromStat(const std::string& path, const std::string& canonical,
                                         const struct stat& st,
                                         const std::vector<std::string>& roots) {
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, " is not a regular file", S_ISDIR(st.st_mode) ? " (it is a directory)" : ""));
  }
  if (!HasMkvExtension(canonical)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not an .mkv file", canonical != path ? " (it resolves to " : "",
                     canonical != path ? canonical + ")" : ""));
  }
  for (const std::string& root : roots) {
    if (IsUnder(canonical, root) && canonical != root) {
      LibraryFile file;
      file.path = canonical;
      file.library_root = root;
      file.relative_path = canonical.substr(root == "/" ? 1 : root.size() + 1);
      file.size_bytes = static_cast<int64_t>(st.st_size);
      file.mtime_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
      return file;
    }
  }
  if (canonical != path) {
    return absl::InvalidArgumentError(absl::StrCat(path, " resolves to ", canonical,
                                                   ", outside the library roots (",
                                                   RootsList(roots), "): symlink escape refused"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(path, " is outside the library roots (", RootsList(roots), ")"));
}

}  // namespace

std::string OutputPathFor(const LibraryFile& file, const std::string& output_dir) {
  // Plain string operations on the canonical paths (fs::path parsing costs more than the rest of
  // a scan's per-file work).
  if (!output_dir.empty()) {
    return absl::StrCat(output_dir, absl::EndsWith(output_dir, "/") ? "" : "/",
                        file.relative_path);
  }
  const size_t slash = file.path.rfind('/');
  const absl::string_view dir = absl::string_view(file.path).substr(0, slash + 1);
  absl::string_view stem = absl::string_view(file.path).substr(slash + 1);
  if (const size_t dot = stem.rfind('.'); dot != absl::string_view::npos && dot > 0) {
    stem = stem.substr(0, dot);
  }
  return absl::StrCat(dir, stem, ".DV81.mkv");
}

}  // namespace mkvfleet::server
