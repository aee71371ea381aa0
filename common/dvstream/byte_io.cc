// Memory and file implementations of ByteSource / ByteSink.
#include "common/dvstream/byte_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dvstream {
namespace {
absl::Status ErrnoError(int err, absl::string_view what, const std::string& path) {
  const std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::UnavailableError(msg);
}
}  // namespace

absl::StatusOr<absl::Span<const uint8_t>> MemorySource::Read() {
  const size_t n = std::min(chunk_size_, data_.size() - pos_);
  absl::Span<const uint8_t> out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

FileSource::FileSource(int fd, std::string path, size_t chunk_size)
    : fd_(fd), path_(std::move(path)), chunk_size_(chunk_size == 0 ? 1 : chunk_size) {
  constexpr size_t kPage = 4096;
  buffer_.reset(
      static_cast<uint8_t*>(std::aligned_alloc(kPage, (chunk_size_ + kPage - 1) / kPage * kPage)));
}

FileSource::~FileSource() { ::close(fd_); }

absl::StatusOr<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path,
                                                             size_t chunk_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, "cannot open", path);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // advice only: failure changes nothing
  return std::make_unique<FileSource>(fd, path, chunk_size);
}

absl::StatusOr<absl::Span<const uint8_t>> FileSource::Read() {
  while (true) {
    const ssize_t n = ::read(fd_, buffer_.get(), chunk_size_);
    if (n >= 0) return absl::Span<const uint8_t>(buffer_.get(), static_cast<size_t>(n));
    if (errno != EINTR) return ErrnoError(errno, "cannot read", path_);
  }
}

FileSink::FileSink(FilePtr f, std::string path) : file_(std::move(f)), path_(std::move(path)) {}

absl::StatusOr<std::unique_ptr<FileSink>> FileSink::Create(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return ErrnoError(errno, "cannot create", path);
  return std::make_unique<FileSink>(FilePtr(f), path);
}

absl::Status FileSink::Write(absl::Span<const uint8_t> bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size()) {
    return ErrnoError(errno, "cannot write", path_);
  }
  return absl::OkStatus();
}

absl::Status FileSink::Flush() {
  if (std::fflush(file_.get()) != 0) return ErrnoError(errno, "cannot write", path_);
  return absl::OkStatus();
}

absl::Status BufferedWriter::Drain() {
  absl::Status st = sink_.Write(buf_);
  buf_.clear();
  return st;
}

absl::Status BufferedWriter::Flush() {
  RETURN_IF_ERROR(Drain());
  return sink_.Flush();
}

}  // namespace mkvfleet::dvstream
