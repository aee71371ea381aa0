// The chunk runner (see the header): inputs, the watched ffmpeg | x265 run, read-back, commit.
#include "agent/encode/chunk_runner.h"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "agent/encode/chunk_inputs.h"
#include "agent/encode/chunk_output.h"
#include "agent/encode/encoder_pipe.h"
#include "agent/media/media_settings.h"
#include "common/chunk/chunk_commands.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

// How often the watcher looks at cancel, stall and progress; how often progress is reported.
constexpr absl::Duration kWatchPoll = absl::Milliseconds(100);
constexpr absl::Duration kProgressEvery = absl::Milliseconds(500);
// At most this many RPU warnings are quoted in the error.
constexpr size_t kMaxQuotedWarnings = 3;

struct TestHooks {
  int rpu_shift_index = -1;
  absl::Duration pause = absl::ZeroDuration();
};

TestHooks HooksFromEnvironment() {
  TestHooks hooks;
  if (const char* v = std::getenv(kEnvChunkRpuShift); v != nullptr) {
    int index = -1;
    if (absl::SimpleAtoi(v, &index)) hooks.rpu_shift_index = index;
  }
  if (const char* v = std::getenv(kEnvChunkPauseMs); v != nullptr) {
    int64_t ms = 0;
    if (absl::SimpleAtoi(v, &ms) && ms > 0) hooks.pause = absl::Milliseconds(ms);
  }
  return hooks;
}

// Whether this is the chunk's first attempt, for the RPU-shift hook: the coordinator's count
// when the task carries the chunk's record, else the first time this process asks.
bool FirstAttempt(const Task& task, int index) {
  for (const ChunkRecord& c : task.chunks) {
    if (c.index == index) return c.attempts <= 1;
  }
  static absl::Mutex mu(absl::kConstInit);
  static std::set<std::pair<int64_t, int>>* seen = new std::set<std::pair<int64_t, int>>();
  absl::MutexLock lock(&mu);
  return seen->insert({task.job_id, index}).second;
}

// x265's warnings that mean the RPUs and the frames are misaligned (chunking.md §4: it exits 0).
bool IsRpuWarning(absl::string_view line) {
  return absl::StrContains(line, "Dolby Vision RPU not found") ||
         absl::StrContains(line, "RPU count is greater");
}

// How the watched run ended.
struct WatchedRun {
  absl::StatusOr<PipeResult> pipe;
  bool stalled = false;
  std::vector<std::string> rpu_warnings;
  int64_t rpu_warning_count = 0;
};

// Runs `req` on a helper thread while this thread reports progress, stops the tools on cancel or
// when x265 makes no progress for `stall`, and (test hook) waits `pause` after x265 started.
WatchedRun RunWatched(const StepContext& ctx, PipeRequest req, int64_t total, absl::Duration stall,
                      absl::Duration pause) {
  WatchedRun out;
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  ToolProgress latest;
  absl::Time last_progress = absl::Now();
  bool x265_started = false;
  req.cancel = &stop;
  req.on_progress = [&](const ToolProgress& p) {
    absl::MutexLock lock(&mu);
    latest = p;
    last_progress = absl::Now();
  };
  req.on_encode_stderr_line = [&](absl::string_view line) {
    absl::MutexLock lock(&mu);
    x265_started = true;
    if (!IsRpuWarning(line)) return;
    ++out.rpu_warning_count;
    if (out.rpu_warnings.size() < kMaxQuotedWarnings) out.rpu_warnings.emplace_back(line);
  };
  absl::Notification done;
  std::thread tools([&] {
    out.pipe = RunDecodeEncodePipe(req);
    done.Notify();
  });
  absl::Time last_report = absl::InfinitePast();
  std::optional<absl::Time> pause_until;
  while (true) {
    const bool finished = done.WaitForNotificationWithTimeout(kWatchPoll);
    const absl::Time now = absl::Now();
    ToolProgress p;
    absl::Time progress_at;
    {
      absl::MutexLock lock(&mu);
      if (!pause_until && (x265_started || finished)) pause_until = now + pause;
      p = latest;
      progress_at = last_progress;
    }
    if (ctx.cancelled()) stop = true;
    if (!finished && !stop && now - progress_at > stall) {
      out.stalled = true;
      stop = true;
    }
    if (now - last_report >= kProgressEvery) {
      last_report = now;
      Progress progress{p.frames_done, total, p.fps, p.eta_ms};
      ctx.ReportProgress(progress);
    }
    if (finished && (stop || now >= *pause_until)) break;
  }
  tools.join();
  return out;
}

void LogTool(const StepContext& ctx, const char* tool, const std::vector<std::string>& argv,
             const process::ProcessResult& r) {
  ctx.Log(r.success() ? LogLevel::kInfo : LogLevel::kError,
          absl::StrCat(tool, ": ", process::FormatArgv(argv), " -> ", r.Describe(), " in ",
                       absl::FormatDuration(r.duration)));
  if (!r.success() && !r.stderr_tail.empty()) {
    std::string tail = r.stderr_tail;
    if (tail.size() > 2000) tail = "..." + tail.substr(tail.size() - 2000);
    ctx.Log(LogLevel::kError, absl::StrCat(tool, " stderr tail: ", tail));
  }
}

// The failure of a watched run, or OK when the tools succeeded without RPU warnings.
absl::Status RunStatus(const WatchedRun& run, const ChunkInputs& in, const StepContext& ctx,
                       absl::Duration stall) {
  const std::string who = absl::StrCat("chunk ", in.index, " (", in.part_path, ")");
  if (ctx.cancelled()) return absl::CancelledError(absl::StrCat(who, ": cancelled"));
  if (run.stalled) {
    return absl::UnavailableError(absl::StrCat(who, ": x265 reported no progress for ",
                                               absl::FormatDuration(stall),
                                               " (chunk_stall_seconds); the tools were killed"));
  }
  if (!run.pipe.ok()) {
    return absl::InternalError(absl::StrCat(who, ": ", run.pipe.status().message()));
  }
  if (absl::Status s = PipeStatus(*run.pipe); !s.ok()) {
    return absl::InternalError(absl::StrCat(who, ": ", s.message()));
  }
  if (run.rpu_warning_count > 0) {
    return absl::InternalError(absl::StrCat(who, ": x265 warned ", run.rpu_warning_count,
                                            " time(s) that RPUs and frames do not match, e.g. \"",
                                            absl::StrJoin(run.rpu_warnings, "\", \""),
                                            "\" (RPU slice ", in.slice_path, ")"));
  }
  return absl::OkStatus();
}

class ChunkStep final : public Step {
 public:
  explicit ChunkStep(ChunkRunnerSettings settings) : settings_(std::move(settings)) {}
  std::string name() const override { return "encode"; }
  absl::StatusOr<StepResult> Run(StepContext& ctx) override { return RunChunk(ctx, settings_); }

 private:
  ChunkRunnerSettings settings_;
};

}  // namespace

absl::StatusOr<ChunkRunnerSettings> ChunkRunnerSettingsFromConfig(
    const config::ConfigLayers* layers, absl::Duration stall_timeout) {
  ChunkRunnerSettings settings;
  settings.stall_timeout = stall_timeout;
  if (layers == nullptr) return settings;
  ASSIGN_OR_RETURN(const media::MediaSettings media, media::LoadMediaSettings(*layers));
  settings.ffmpeg = media.Tool("ffmpeg");
  settings.x265 = media.Tool("x265");
  settings.tool_timeout = media.tool_timeout;
  return settings;
}

absl::StatusOr<StepResult> RunChunk(StepContext& ctx, const ChunkRunnerSettings& settings) {
  if (!ctx.task().chunk) {
    return absl::InvalidArgumentError(absl::StrCat("task ", ctx.task().task_id, " of job ",
                                                   ctx.task().job_id,
                                                   " is not a chunk task (no chunk assignment)"));
  }
  const ChunkAssignment& assignment = *ctx.task().chunk;
  ASSIGN_OR_RETURN(ChunkInputs in,
                   LoadChunkInputs(assignment, ctx.agent_name(),
                                   [&](absl::string_view p) { return ctx.ToLocal(p); }));
  const chunk::ManifestChunk& c = in.chunk();
  ASSIGN_OR_RETURN(std::vector<std::string> decode,
                   chunk::ChunkDecoderArgv(in.manifest, in.index, settings.ffmpeg, in.source));
  if (ctx.cancelled()) return absl::CancelledError("chunk cancelled before the encode");
  const TestHooks hooks = HooksFromEnvironment();
  std::string slice_for_x265 = in.slice_path;
  std::optional<std::string> shifted;
  if (hooks.rpu_shift_index == in.index && FirstAttempt(ctx.task(), in.index)) {
    ASSIGN_OR_RETURN(shifted, WriteShiftedSlice(in));
    ctx.Log(LogLevel::kWarn, absl::StrCat("test hook ", kEnvChunkRpuShift, ": chunk ", in.index,
                                          " gets RPUs shifted by one frame (", *shifted, ")"));
    slice_for_x265 = *shifted;
  }
  std::error_code ec;
  std::filesystem::remove(in.part_path, ec);  // an earlier attempt's leftover
  ASSIGN_OR_RETURN(
      std::vector<std::string> encode,
      chunk::ChunkEncoderArgv(in.manifest, in.index, settings.x265, slice_for_x265, in.part_path));
  ctx.Log(LogLevel::kInfo,
          absl::StrCat("chunk ", in.index, ": frames [", c.first_frame, ", ",
                       c.first_frame + c.frames, ") of ", in.source, " -> ", in.output_path));

  PipeRequest req;
  req.decode = decode;
  req.encode = encode;
  req.timeout = settings.tool_timeout;
  const absl::Time start = absl::Now();
  WatchedRun run = RunWatched(ctx, std::move(req), c.frames, settings.stall_timeout, hooks.pause);
  if (shifted) std::filesystem::remove(*shifted, ec);
  if (run.pipe.ok()) {
    LogTool(ctx, "ffmpeg", decode, run.pipe->decode);
    LogTool(ctx, "x265", encode, run.pipe->encode);
  }
  absl::Status ran = RunStatus(run, in, ctx, settings.stall_timeout);
  absl::StatusOr<ChunkFacts> facts =
      ran.ok() ? CheckChunkFile(in.index, in.part_path, c.frames, in.slice,
                                assignment.parameter_sets_sha256)
               : ran;
  if (facts.ok()) {
    absl::Status commit = CommitChunkFile(in.part_path, in.output_path);
    if (!commit.ok()) {
      facts = absl::InternalError(absl::StrCat("chunk ", in.index, ": ", commit.message()));
    }
  }
  if (!facts.ok()) {
    std::filesystem::remove(in.part_path, ec);
    return facts.status();
  }
  ctx.ReportProgress(Progress{c.frames, c.frames, 0, 0});
  const absl::Duration took = absl::Trunc(absl::Now() - start, absl::Milliseconds(1));
  ctx.Log(LogLevel::kInfo,
          absl::StrCat("chunk ", in.index, ": ", facts->frames, " frames, ", facts->bytes,
                       " bytes in ", absl::FormatDuration(took), ", checked; sha256 ",
                       facts->sha256, ", parameter sets ", facts->parameter_sets_sha256));
  StepResult result;
  result.checkpoint.artifacts.push_back(Artifact{kArtifactChunk, ctx.ToCoordinator(in.output_path),
                                                 ArtifactLocation::kShared, ctx.agent_name(),
                                                 facts->bytes});
  auto& f = result.checkpoint.facts;
  f[kFactChunkSha256] = facts->sha256;
  f[kFactChunkParameterSetsSha256] = facts->parameter_sets_sha256;
  f[kFactChunkFrames] = absl::StrCat(facts->frames);
  f[kFactChunkBytes] = absl::StrCat(facts->bytes);
  f["encode_seconds"] = absl::StrCat(absl::ToDoubleSeconds(took));
  return result;
}

std::unique_ptr<Step> MakeChunkStep(ChunkRunnerSettings settings) {
  return std::make_unique<ChunkStep>(std::move(settings));
}

}  // namespace mkvfleet::agent::encode
