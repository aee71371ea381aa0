// RewriteSource over open/fstat/pread (see rewrite_source.h).
#include "common/matroska/rewrite_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::matroska {

RewriteSource::~RewriteSource() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status RewriteSource::Open(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    const int err = errno;
    const std::string what = absl::StrCat(path, ": cannot open (", std::strerror(err), ")");
    if (err == ENOENT) return absl::NotFoundError(what);
    if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(what);
    return absl::DataLossError(what);
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return absl::DataLossError(absl::StrCat(path, ": cannot stat"));
  size_ = static_cast<uint64_t>(st.st_size);
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  return absl::OkStatus();
}

absl::Status RewriteSource::ReadAt(uint64_t offset, size_t n, std::vector<uint8_t>& out) {
  out.resize(n);
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd_, out.data() + done, n - done, offset + done);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      return absl::DataLossError(absl::StrCat(path_, ": read error at byte ", offset + done, " (",
                                              std::strerror(errno), ")"));
    }
    if (r == 0) {
      return absl::DataLossError(absl::StrCat(path_, ": ends at byte ", offset + done,
                                              ", inside an element that needs ", n, " bytes from ",
                                              offset, " (truncated?)"));
    }
    done += static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

absl::StatusOr<ElementHeader> RewriteSource::HeaderAt(uint64_t offset) {
  std::vector<uint8_t>& buf = header_buf_;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(12, size_ - offset));
  RETURN_IF_ERROR(ReadAt(offset, n, buf));
  absl::StatusOr<ElementHeader> h = ParseElementHeader(buf);
  if (h.status().code() == absl::StatusCode::kOutOfRange) {
    return absl::DataLossError(
        absl::StrCat(path_, ": ends inside an element header at byte ", offset, " (truncated?)"));
  }
  if (!h.ok()) {
    return absl::UnimplementedError(
        absl::StrCat(path_, ": byte ", offset, ": ", h.status().message()));
  }
  return h;
}

}  // namespace mkvfleet::matroska
