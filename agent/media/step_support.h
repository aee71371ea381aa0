// What the media pipeline's steps share: the settings, how they find earlier steps' facts (the
// probed MediaInfo, the plan, the destination, the output being built), and a throttled progress
// reporter. Fact names here are the checkpoint contract between the steps.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/media/media_info.h"
#include "agent/media/media_settings.h"
#include "agent/media/publish.h"
#include "agent/pipeline.h"

namespace mkvfleet::agent::media {

// Checkpoint fact names.
inline constexpr char kFactMediaInfo[] = "media_info";        // probe: MediaInfo JSON
inline constexpr char kFactPlan[] = "plan";                   // plan: the chosen plan
inline constexpr char kFactDestination[] = "destination";     // plan: local destination path
inline constexpr char kFactSourceFrames[] = "source_frames";  // mux: source frames read
inline constexpr char kFactOutputBytes[] = "output_bytes";    // mux: size of the built output
inline constexpr char kFactBytesWritten[] = "bytes_written";  // each writing step: bytes it wrote
// probe, Dolby Vision sources: video frames, RPUs, frames without an RPU and with several (counts)
inline constexpr char kFactFrames[] = "frames";
inline constexpr char kFactRpus[] = "rpus";
inline constexpr char kFactFramesWithoutRpu[] = "frames_without_rpu";
inline constexpr char kFactFramesWithSeveralRpus[] = "frames_with_several_rpus";
// probe: frames whose RPUs the later steps repair (set only when there are some)
inline constexpr char kFactRpusRepaired[] = "rpus_repaired";
inline constexpr char kArtifactOutput[] = "output";           // mux: the built, unpublished output
inline constexpr char kArtifactSourceCopy[] = "source_copy";  // probe: copy_source's copy

using SharedSettings = std::shared_ptr<const MediaSettings>;

// The probe step's MediaInfo. FailedPrecondition when the probe checkpoint is missing or bad.
absl::StatusOr<MediaInfo> ProbedInfo(const StepContext& ctx);
// A fact of an earlier step; FailedPrecondition naming step and fact when missing.
absl::StatusOr<std::string> EarlierFact(const StepContext& ctx, const char* step, const char* fact);
// The local path where the job's output is published: the coordinator's output_path, or beside
// the source as NAME.DV81.mkv when the coordinator sent none.
std::string DestinationFor(const StepContext& ctx);
// The mux step's output file (local path), when recorded.
absl::StatusOr<std::string> BuiltOutput(const StepContext& ctx);

// The job's private copy of its source (copy_source = true).
struct SourceCopy {
  std::string path;  // <work_dir>/source<.ext>
  int64_t bytes = 0;
  bool reused = false;  // an intact copy was already there; nothing was copied
};

// Copies `source` into `work_dir` as "source<.ext>" by streaming it through a buffer (no fsync:
// the copy is scratch), unless a copy with the same size and modification time is already there.
// The copy gets the source's modification time. Checks first that `work_dir` has the source's
// size plus `margin` free. The source is only read. Errors: NotFound / FailedPrecondition naming
// the source when it is gone or unreadable; ResourceExhausted naming the folder and the numbers
// when space is short; Internal naming the file for I/O errors or a short copy (the partial copy
// is removed); Cancelled when `cancel` becomes true.
absl::StatusOr<SourceCopy> CopySourceToWorkDir(const std::string& source,
                                               const std::string& work_dir,
                                               const FreeSpaceFn& free_space, int64_t margin,
                                               const std::atomic<bool>* cancel);

// OK when `path` can be opened for reading. NotFound ("deleted or moved since it was queued") or
// FailedPrecondition (permission denied, not a regular file) naming the file otherwise.
absl::Status CheckSourceReadable(const std::string& path);

// Reports frames done / total with fps and ETA, at most every `interval`.
class ProgressMeter {
 public:
  ProgressMeter(const StepContext& ctx, int64_t total,
                absl::Duration interval = absl::Milliseconds(500));
  void Update(int64_t done, bool force = false);

 private:
  const StepContext& ctx_;
  int64_t total_;
  absl::Duration interval_;
  absl::Time start_;
  absl::Time last_;
};

// fps and ETA from frames done in `elapsed` (pure; ETA 0 when unknown).
Progress MakeProgress(int64_t done, int64_t total, absl::Duration elapsed);

}  // namespace mkvfleet::agent::media
