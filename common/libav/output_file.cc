// Output file with early writeback (see output_file.h).
#include "common/libav/output_file.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

namespace mkvfleet::libav {
namespace {

constexpr int kBufferSize = 1 << 20;
constexpr size_t kMaxIov = 1024;  // IOV_MAX on Linux

}  // namespace

absl::StatusOr<std::unique_ptr<OutputFile>> OutputFile::Create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat(path, ": cannot open for writing (", std::strerror(errno), ")"));
  }
  std::unique_ptr<OutputFile> f(new OutputFile(path, fd));
  auto* buffer = static_cast<unsigned char*>(av_malloc(kBufferSize));
  if (buffer != nullptr) {
    f->avio_ = avio_alloc_context(buffer, kBufferSize, /*write_flag=*/1, f.get(), nullptr,
                                  &OutputFile::Write, &OutputFile::Seek);
  }
  if (f->avio_ == nullptr) {
    av_free(buffer);
    return absl::ResourceExhaustedError("out of memory for the output buffer");
  }
  f->writeback_ = std::thread([p = f.get()] { p->Writeback(); });
  return f;
}

void OutputFile::Writeback() {
  int64_t done = 0;
  while (true) {
    int64_t to = 0;
    {
      absl::MutexLock lock(&mu_);
      while (!stop_ && writeback_to_ <= done) wake_.Wait(&mu_);
      if (stop_) return;
      to = writeback_to_;
    }
    // Only a hint: failures show up (again) at fsync.
    ::sync_file_range(fd_, done, to - done, SYNC_FILE_RANGE_WRITE);
    done = to;
  }
}

void OutputFile::StopWriteback() {
  if (!writeback_.joinable()) return;
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  wake_.Signal();
  writeback_.join();
}

OutputFile::~OutputFile() {
  StopWriteback();
  if (avio_ != nullptr) {
    av_freep(&avio_->buffer);
    avio_context_free(&avio_);
  }
  if (fd_ >= 0) ::close(fd_);
}

int OutputFile::Write(void* opaque, uint8_t* buf, int size) {
  auto* f = static_cast<OutputFile*>(opaque);
  int done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(f->fd_, buf + done, size - done, f->pos_ + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (f->write_errno_ == 0) f->write_errno_ = errno;
      return AVERROR(errno);
    }
    done += static_cast<int>(n);
  }
  f->Advance(size);
  return size;
}

void OutputFile::Advance(int64_t n) {
  pos_ += n;
  if (pos_ > end_) end_ = pos_;
  if (end_ - kicked_ >= kWritebackChunk) {
    kicked_ = end_;
    {
      absl::MutexLock lock(&mu_);
      writeback_to_ = kicked_;
    }
    wake_.Signal();
  }
}

absl::Status OutputFile::WriteError(int err) {
  if (write_errno_ == 0) write_errno_ = err;
  return absl::InternalError(absl::StrCat(path_, ": cannot write (", std::strerror(err), ")"));
}

absl::Status OutputFile::Append(absl::Span<const struct iovec> pieces) {
  avio_flush(avio_);
  if (write_errno_ != 0) return WriteError(write_errno_);
  std::vector<struct iovec> left(pieces.begin(), pieces.end());
  size_t first = 0;
  while (first < left.size()) {
    const int count = static_cast<int>(std::min<size_t>(left.size() - first, kMaxIov));
    const ssize_t n = ::pwritev(fd_, left.data() + first, count, pos_);
    if (n < 0) {
      if (errno == EINTR) continue;
      return WriteError(errno);
    }
    Advance(n);
    size_t rest = static_cast<size_t>(n);
    while (first < left.size() && rest >= left[first].iov_len) rest -= left[first++].iov_len;
    if (rest > 0) {
      left[first].iov_base = static_cast<char*>(left[first].iov_base) + rest;
      left[first].iov_len -= rest;
    }
  }
  return absl::OkStatus();
}

absl::Status OutputFile::PatchAt(int64_t offset, absl::Span<const uint8_t> bytes) {
  avio_flush(avio_);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, offset + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return WriteError(errno);
    }
    done += static_cast<size_t>(n);
  }
  if (offset + static_cast<int64_t>(bytes.size()) > end_) end_ = offset + bytes.size();
  return absl::OkStatus();
}

int64_t OutputFile::Seek(void* opaque, int64_t offset, int whence) {
  auto* f = static_cast<OutputFile*>(opaque);
  switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET:
      f->pos_ = offset;
      break;
    case SEEK_CUR:
      f->pos_ += offset;
      break;
    case SEEK_END:
      f->pos_ = f->end_ + offset;
      break;
    case AVSEEK_SIZE:
      return f->end_;
    default:
      return AVERROR(EINVAL);
  }
  return f->pos_;
}

absl::Status OutputFile::Close() {
  if (fd_ < 0) return absl::OkStatus();
  avio_flush(avio_);
  StopWriteback();  // no hint may reach the fd after it is closed
  const int avio_error = avio_->error;
  const int rc = ::close(fd_);
  const int close_errno = errno;
  fd_ = -1;
  if (write_errno_ != 0) {
    return absl::InternalError(
        absl::StrCat(path_, ": cannot write (", std::strerror(write_errno_), ")"));
  }
  if (avio_error < 0) {
    return absl::InternalError(absl::StrCat(path_, ": cannot write (", avio_error, ")"));
  }
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat(path_, ": cannot close (", std::strerror(close_errno), ")"));
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::libav
