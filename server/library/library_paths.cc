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

}  // namespace

bool IsUnder(const std::string& path, const std::string& root) {
  if (root == "/") return absl::StartsWith(path, "/");
  if (!absl::StartsWith(path, root)) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

bool HasMkvExtension(const std::string& path) {
  return absl::EndsWithIgnoreCase(fs::path(path).filename().string(), ".mkv") &&
         fs::path(path).filename().string().size() > 4;
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

std::string OutputPathFor(const LibraryFile& file, const std::string& output_dir) {
  if (!output_dir.empty()) return (fs::path(output_dir) / file.relative_path).string();
  fs::path p(file.path);
  return (p.parent_path() / (p.stem().string() + ".DV81.mkv")).string();
}

}  // namespace mkvfleet::server
