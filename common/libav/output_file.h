// The remuxer's output file behind a libavformat AVIOContext that we own: a plain fd written
// through a 1 MiB buffer, with the kernel told to start writing each finished 16 MiB back to disk
// (sync_file_range SYNC_FILE_RANGE_WRITE, which does not wait for the disk). Without that, a
// freshly written multi-GB file sits in the page cache until the final fsync (publish) and the
// disk only starts then; with it, the disk writes while the remux still reads and converts, and
// the fsync finds little left to do. The call is made from a helper thread: submitting the
// writeback can itself block on a busy device queue, and the remux must not wait for that.
// Pages stay cached: verify reads the file next.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

struct iovec;

extern "C" {
#include <libavformat/avio.h>
}

namespace mkvfleet::libav {

class OutputFile {
 public:
  static constexpr int64_t kWritebackChunk = 16 << 20;

  // Creates or truncates `path` (mode 0666 & ~umask). Internal naming it on failure.
  static absl::StatusOr<std::unique_ptr<OutputFile>> Create(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // For AVFormatContext::pb (with AVFMT_FLAG_CUSTOM_IO); owned by this object.
  AVIOContext* avio() { return avio_; }
  // Writes `pieces` in order at the current position, past the AVIO buffer (flushed first so the
  // order holds): for writers that assemble their own output. Internal naming the file on error.
  absl::Status Append(absl::Span<const struct iovec> pieces);
  // Overwrites bytes already written (headers whose values are known only at the end).
  absl::Status PatchAt(int64_t offset, absl::Span<const uint8_t> bytes);
  // Bytes written so far (the highest offset reached).
  int64_t size() const { return end_; }
  // Flushes the buffer and closes the file. Internal naming the file and the first write error.
  absl::Status Close();

 private:
  OutputFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  static int Write(void* opaque, uint8_t* buf, int size);
  static int64_t Seek(void* opaque, int64_t offset, int whence);
  void Advance(int64_t n);  // after writing n bytes at pos_: move on, start writeback
  absl::Status WriteError(int err);
  void Writeback();  // the helper thread
  void StopWriteback();

  std::string path_;
  int fd_;
  AVIOContext* avio_ = nullptr;
  int64_t pos_ = 0;      // file offset of the next write
  int64_t end_ = 0;      // bytes written so far (highest offset reached)
  int64_t kicked_ = 0;   // writeback started for [0, kicked_)
  int write_errno_ = 0;  // the first write error

  absl::Mutex mu_;
  absl::CondVar wake_;  // signalled when writeback_to_ grows or stop_ is set
  int64_t writeback_to_ ABSL_GUARDED_BY(mu_) = 0;  // start writeback of [.., writeback_to_)
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writeback_;
};

}  // namespace mkvfleet::libav
