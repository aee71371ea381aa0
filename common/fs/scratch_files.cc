// mkdtemp/mkstemp/rename-based implementations of ScratchDir and AtomicOutput.
#include "common/fs/scratch_files.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mkvfleet::fs {
namespace fs = std::filesystem;

namespace {

absl::Status ErrnoError(int err, const std::string& what) {
  std::string msg = absl::StrCat(what, ": ", std::strerror(err));
  if (err == ENOENT || err == ENOTDIR) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM || err == EROFS) return absl::PermissionDeniedError(msg);
  return absl::InternalError(msg);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ScratchDir>> ScratchDir::Create(const std::string& prefix) {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string tmpl = (base / (prefix + "-XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) return ErrnoError(errno, tmpl);
  return std::unique_ptr<ScratchDir>(new ScratchDir(buf.data()));
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

absl::StatusOr<std::unique_ptr<AtomicOutput>> AtomicOutput::Create(const std::string& final_path) {
  std::string tmpl = final_path + ".partial-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int fd = mkstemp(buf.data());
  if (fd < 0) {
    fs::path dir = fs::path(final_path).parent_path();
    return ErrnoError(errno, absl::StrCat("cannot create output in ",
                                          dir.empty() ? std::string(".") : dir.string()));
  }
  // mkstemp makes 0600; outputs should look like any other file the user writes.
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  close(fd);
  return std::unique_ptr<AtomicOutput>(new AtomicOutput(final_path, buf.data()));
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) unlink(temp_path_.c_str());
}

absl::Status AtomicOutput::Commit() {
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    return ErrnoError(errno, absl::StrCat("cannot rename ", temp_path_, " to ", final_path_));
  }
  committed_ = true;
  return absl::OkStatus();
}

absl::Status WriteWholeFile(const std::string& path, const std::string& contents) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return ErrnoError(errno, path);
  size_t n = std::fwrite(contents.data(), 1, contents.size(), f);
  int close_rc = std::fclose(f);
  if (n != contents.size() || close_rc != 0) return ErrnoError(errno, path);
  return absl::OkStatus();
}

}  // namespace mkvfleet::fs
