// Shared step helpers (see the header).
#include "agent/media/step_support.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace {

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

absl::Status SourceOpenError(const std::string& path, int err) {
  if (err == ENOENT || err == ENOTDIR) {
    return absl::NotFoundError(absl::StrCat("source ", path, " does not exist (deleted or moved ",
                                            "since it was queued)"));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot read source ", path, ": ", std::strerror(err),
      err == EACCES ? " (fix its permissions for the agent's user, then reset the job)" : ""));
}

bool SameSizeAndMtime(const struct stat& a, const struct stat& b) {
  return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

}  // namespace

absl::Status CheckSourceReadable(const std::string& path) {
  Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) return SourceOpenError(path, errno);
  struct stat st {};
  if (::fstat(in.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("source ", path, " is not a regular file"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SourceCopy> CopySourceToWorkDir(const std::string& source,
                                               const std::string& work_dir,
                                               const FreeSpaceFn& free_space, int64_t margin,
                                               const std::atomic<bool>* cancel) {
  Fd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.fd < 0) return SourceOpenError(source, errno);
  struct stat src {};
  if (::fstat(in.fd, &src) != 0 || !S_ISREG(src.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("source ", source, " is not a regular file"));
  }
  SourceCopy copy;
  copy.path = (std::filesystem::path(work_dir) /
               ("source" + std::filesystem::path(source).extension().string()))
                  .string();
  copy.bytes = src.st_size;
  struct stat existing {};
  if (::stat(copy.path.c_str(), &existing) == 0 && SameSizeAndMtime(existing, src)) {
    copy.reused = true;
    return copy;
  }
  RETURN_IF_ERROR(CheckFreeSpace(free_space, work_dir, src.st_size + margin,
                                 absl::StrCat("a copy of ", source)));
  const std::string part = copy.path + ".part";
  Fd out(::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (out.fd < 0) {
    return absl::InternalError(absl::StrCat("cannot create ", part, ": ", std::strerror(errno)));
  }
  auto fail = [&](absl::Status s) {
    ::unlink(part.c_str());
    return s;
  };
  ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::vector<char> buf(4 << 20);
  int64_t copied = 0;
  while (true) {
    if (cancel != nullptr && cancel->load()) return fail(absl::CancelledError("copy cancelled"));
    const ssize_t n = ::read(in.fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return fail(absl::InternalError(
          absl::StrCat("read error in source ", source, ": ", std::strerror(errno))));
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out.fd, buf.data() + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        return fail(
            absl::InternalError(absl::StrCat("write error in ", part, ": ", std::strerror(errno))));
      }
      done += w;
    }
    copied += n;
  }
  if (copied != src.st_size) {
    return fail(
        absl::InternalError(absl::StrCat("copied ", copied, " bytes of ", source, " but it has ",
                                         src.st_size, " (did it change while copying?)")));
  }
  const struct timespec times[2] = {src.st_atim, src.st_mtim};
  if (::futimens(out.fd, times) != 0 || ::close(out.fd) != 0) {
    out.fd = -1;
    return fail(absl::InternalError(
        absl::StrCat("cannot finish the copy ", part, ": ", std::strerror(errno))));
  }
  out.fd = -1;
  if (::rename(part.c_str(), copy.path.c_str()) != 0) {
    return fail(absl::InternalError(
        absl::StrCat("cannot rename ", part, " to ", copy.path, ": ", std::strerror(errno))));
  }
  return copy;
}

absl::StatusOr<MediaInfo> ProbedInfo(const StepContext& ctx) {
  ASSIGN_OR_RETURN(const std::string json, EarlierFact(ctx, "probe", kFactMediaInfo));
  absl::StatusOr<MediaInfo> info = MediaInfoFromJson(json);
  if (!info.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("probe checkpoint unusable: ", info.status().message()));
  }
  return info;
}

absl::StatusOr<std::string> EarlierFact(const StepContext& ctx, const char* step,
                                        const char* fact) {
  const Checkpoint* cp = ctx.CheckpointOf(step);
  if (cp == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("step ", step, " has no checkpoint"));
  }
  auto it = cp->facts.find(fact);
  if (it == cp->facts.end()) {
    return absl::FailedPreconditionError(absl::StrCat("step ", step, " did not record ", fact));
  }
  return it->second;
}

std::string DestinationFor(const StepContext& ctx) {
  std::string dest = ctx.output_path();
  if (!dest.empty()) return dest;
  const std::filesystem::path src(ctx.source_path());
  return (src.parent_path() / (src.stem().string() + ".DV81.mkv")).string();
}

absl::StatusOr<std::string> BuiltOutput(const StepContext& ctx) {
  const Checkpoint* cp = ctx.CheckpointOf("mux");
  if (cp != nullptr) {
    for (const Artifact& a : cp->artifacts) {
      if (a.name == kArtifactOutput) return a.path;
    }
  }
  return absl::FailedPreconditionError("the mux step recorded no output");
}

Progress MakeProgress(int64_t done, int64_t total, absl::Duration elapsed) {
  Progress p;
  p.frames_done = done;
  p.frames_total = total;
  const double seconds = absl::ToDoubleSeconds(elapsed);
  if (seconds > 0 && done > 0) {
    p.fps = done / seconds;
    if (total > done) p.eta_ms = static_cast<int64_t>((total - done) / p.fps * 1000);
  }
  return p;
}

ProgressMeter::ProgressMeter(const StepContext& ctx, int64_t total, absl::Duration interval)
    : ctx_(ctx),
      total_(total),
      interval_(interval),
      start_(absl::Now()),
      last_(absl::InfinitePast()) {}

void ProgressMeter::Update(int64_t done, bool force) {
  const absl::Time now = absl::Now();
  if (!force && now - last_ < interval_) return;
  last_ = now;
  ctx_.ReportProgress(MakeProgress(done, total_, now - start_));
}

}  // namespace mkvfleet::agent::media
