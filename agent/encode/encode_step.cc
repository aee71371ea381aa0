// The re-encode plans' encode step: ffmpeg | x265, and by default x265's stdout straight into the
// remuxer, so the output part file is the only full-size write (see reencode_steps.h). For
// dv-reencode it first decides whether to chunk the encode across agents: then it prepares the
// chunks (chunk_prepare.h), and when the job comes back with its chunks done it assembles them
// (chunk_assemble.h).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "agent/encode/chunk_assemble.h"
#include "agent/encode/chunk_plan.h"
#include "agent/encode/chunk_prepare.h"
#include "agent/encode/encoder_pipe.h"
#include "agent/encode/reencode_output.h"
#include "agent/encode/reencode_steps.h"
#include "agent/encode/x265_args.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

// The artifact `name` of the earlier step `step`, or FailedPrecondition.
absl::StatusOr<std::string> EarlierArtifact(const StepContext& ctx, const char* step,
                                            const char* name) {
  const Checkpoint* cp = ctx.CheckpointOf(step);
  if (cp != nullptr) {
    for (const Artifact& a : cp->artifacts) {
      if (a.name == name) return a.path;
    }
  }
  return absl::FailedPreconditionError(absl::StrCat("step ", step, " recorded no ", name));
}

void LogResult(const StepContext& ctx, const char* tool, const std::vector<std::string>& argv,
               const process::ProcessResult& r) {
  ctx.Log(r.success() ? LogLevel::kInfo : LogLevel::kError,
          absl::StrCat(tool, ": ", process::FormatArgv(argv), " -> ", r.Describe(), " in ",
                       absl::FormatDuration(r.duration)));
  if (!r.stderr_tail.empty()) {
    // The last lines only: x265's summary, or the reason it failed.
    std::string tail = r.stderr_tail;
    if (tail.size() > 2000) tail = "..." + tail.substr(tail.size() - 2000);
    ctx.Log(r.success() ? LogLevel::kInfo : LogLevel::kError,
            absl::StrCat(tool, " stderr tail: ", tail));
  }
}

// x265's latest progress, written by the thread that waits for the tools and reported from the
// step's thread (throttled).
class ProgressRelay {
 public:
  ProgressRelay(const StepContext& ctx, int64_t total) : ctx_(ctx), total_(total) {}
  void Store(const ToolProgress& p) {
    absl::MutexLock lock(&mu_);
    latest_ = p;
  }
  void ReportThrottled(bool force = false) {
    const absl::Time now = absl::Now();
    if (!force && now - last_ < absl::Milliseconds(500)) return;
    last_ = now;
    ToolProgress p;
    {
      absl::MutexLock lock(&mu_);
      p = latest_;
    }
    Progress progress = media::MakeProgress(force ? total_ : p.frames_done, total_, now - start_);
    if (!force && p.fps > 0) progress.fps = p.fps;
    if (!force && p.eta_ms > 0) progress.eta_ms = p.eta_ms;
    ctx_.ReportProgress(progress);
  }

 private:
  const StepContext& ctx_;
  int64_t total_;
  absl::Time start_ = absl::Now();
  absl::Time last_ = absl::InfinitePast();
  absl::Mutex mu_;
  ToolProgress latest_ ABSL_GUARDED_BY(mu_);
};

class EncodeStep final : public Step {
 public:
  EncodeStep(media::SharedSettings s, ReencodeOptions o, bool dv)
      : settings_(std::move(s)), options_(std::move(o)), dolby_vision_(dv) {}
  std::string name() const override { return "encode"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    ASSIGN_OR_RETURN(const media::MediaInfo info, media::ProbedInfo(ctx));
    if (dolby_vision_ && !ctx.task().chunks.empty()) return AssembleChunks(ctx, FreeSpace());
    EncodeJob job;
    job.ffmpeg = settings_->Tool("ffmpeg");
    job.x265 = settings_->Tool("x265");
    job.source_path = ctx.source_path();
    job.output_hevc = options_.checkpoint_encoded_video
                          ? (std::filesystem::path(ctx.work_dir()) / "encoded.hevc").string()
                          : "-";
    if (dolby_vision_) {
      ASSIGN_OR_RETURN(std::string rpu, EarlierArtifact(ctx, "rpu", kArtifactRpu));
      if (!std::filesystem::exists(rpu)) {
        return absl::UnavailableError(absl::StrCat("RPU file ", rpu, " is gone; rerun rpu"));
      }
      job.rpu_path = std::move(rpu);
      ASSIGN_OR_RETURN(std::optional<StepResult> chunked, MaybeChunk(ctx, info, job.rpu_path));
      if (chunked) return *std::move(chunked);
    }
    ASSIGN_OR_RETURN(const EncodeCommands cmds, BuildEncodeCommands(info, options_.profile, job));
    ctx.Log(
        LogLevel::kInfo,
        absl::StrCat("encode: ", info.frame_count, " frames, preset ", options_.profile.preset,
                     " crf ", options_.profile.crf, dolby_vision_ ? ", Dolby Vision 8.1 RPUs" : "",
                     options_.checkpoint_encoded_video
                         ? "; x265's stream to the work dir (checkpoint_encoded_video)"
                         : "; x265's stream muxed as it comes (one pass)"));
    return options_.checkpoint_encoded_video ? EncodeToFile(ctx, info, job, cmds)
                                             : EncodeIntoOutput(ctx, info, cmds);
  }

 private:
  media::FreeSpaceFn FreeSpace() const {
    return options_.free_space ? options_.free_space : media::RealFreeSpace();
  }
  // Prepares a chunked encode when DecideChunking says so; nullopt = encode the whole title here.
  absl::StatusOr<std::optional<StepResult>> MaybeChunk(StepContext& ctx,
                                                       const media::MediaInfo& info,
                                                       const std::string& rpu_path) const {
    ChunkPrepareRequest req;
    req.decision = DecideChunking(ctx.task().chunking, !ctx.shared_work_dir().empty(),
                                  TitleSeconds(info));
    ctx.Log(LogLevel::kInfo,
            absl::StrCat("encode: ", req.decision.chunk ? "chunking" : "not chunking", ": ",
                         req.decision.reason));
    if (!req.decision.chunk) return std::optional<StepResult>();
    req.settings = settings_.get();
    req.profile = options_.profile;
    req.free_space = FreeSpace();
    req.rpu_path = rpu_path;
    return PrepareChunkedEncode(ctx, info, req);
  }
  PipeRequest MakeRequest(const EncodeCommands& cmds) const {
    PipeRequest req;
    req.decode = cmds.decode;
    req.encode = cmds.encode;
    req.timeout = settings_->tool_timeout;
    return req;
  }

  // x265 -> the work dir's encoded.hevc, checkpointed as kArtifactEncoded for the mux step.
  absl::StatusOr<StepResult> EncodeToFile(StepContext& ctx, const media::MediaInfo& info,
                                          const EncodeJob& job, const EncodeCommands& cmds) {
    // The encoded stream is at most about the source's size at sane settings.
    const int64_t needed = info.size_bytes + media::kFreeSpaceMargin;
    if (absl::StatusOr<int64_t> free = FreeSpace()(ctx.work_dir()); free.ok()) {
      ctx.Log(LogLevel::kInfo, absl::StrCat("free space in ", ctx.work_dir(), ": ", *free,
                                            " bytes; the encode writes up to about ", needed));
    }
    RETURN_IF_ERROR(
        media::CheckFreeSpace(FreeSpace(), ctx.work_dir(), needed, "the encoded video"));
    std::error_code ec;
    std::filesystem::remove(job.output_hevc, ec);  // an earlier attempt's leftover
    const absl::Time start = absl::Now();
    ProgressRelay relay(ctx, info.frame_count);
    PipeRequest req = MakeRequest(cmds);
    req.cancel = ctx.cancel_flag();
    req.on_progress = [&](const ToolProgress& p) {  // on this thread: Wait() runs here
      relay.Store(p);
      relay.ReportThrottled();
    };
    absl::StatusOr<PipeResult> ran = RunDecodeEncodePipe(req);
    if (ran.ok()) {
      LogResult(ctx, "ffmpeg", cmds.decode, ran->decode);
      LogResult(ctx, "x265", cmds.encode, ran->encode);
    }
    absl::Status s = ran.ok() ? PipeStatus(*ran) : ran.status();
    if (!s.ok()) {
      std::filesystem::remove(job.output_hevc, ec);
      return s;
    }
    const auto size = std::filesystem::file_size(job.output_hevc, ec);
    if (ec || size == 0) {
      return absl::InternalError(absl::StrCat("x265 wrote no output to ", job.output_hevc));
    }
    relay.ReportThrottled(/*force=*/true);
    StepResult result;
    result.checkpoint.artifacts.push_back(Artifact{kArtifactEncoded, job.output_hevc,
                                                   ArtifactLocation::kAgentLocal, ctx.agent_name(),
                                                   static_cast<int64_t>(size)});
    result.checkpoint.facts[kFactEncodedFrames] = absl::StrCat(info.frame_count);
    result.checkpoint.facts[kFactPixFmt] = cmds.pix_fmt;
    result.checkpoint.facts[media::kFactBytesWritten] = absl::StrCat(size);
    result.checkpoint.facts["encode_seconds"] =
        absl::StrCat(absl::ToDoubleSeconds(absl::Now() - start));
    return result;
  }

  // ffmpeg | x265 | remux: x265 writes to a pipe the remuxer reads on this thread while another
  // thread waits for the tools. The part file beside the destination is the only full write.
  absl::StatusOr<StepResult> EncodeIntoOutput(StepContext& ctx, const media::MediaInfo& info,
                                              const EncodeCommands& cmds) {
    // The new video (at most about the source's size at sane settings) plus the other tracks.
    const int64_t needed = info.size_bytes + media::kFreeSpaceMargin;
    ASSIGN_OR_RETURN(const OutputTarget target,
                     PrepareOutput(ctx, *settings_, FreeSpace(), needed));
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
    }
    const absl::Time start = absl::Now();
    ProgressRelay relay(ctx, info.frame_count);
    std::atomic<bool> stop_tools{false};
    PipeRequest req = MakeRequest(cmds);
    req.encode_stdout_fd = fds[1];
    req.cancel = &stop_tools;
    req.on_progress = [&](const ToolProgress& p) { relay.Store(p); };
    absl::StatusOr<PipeResult> ran;
    std::thread tools([&] { ran = RunDecodeEncodePipe(req); });

    EncodedVideoInput video(fds[0], "x265's output (pipe)", cmds.output_depth);
    absl::StatusOr<libav::RemuxStats> stats =
        MuxEncodedVideo(ctx, target, video, info, dolby_vision_, [&](int64_t) {
          relay.ReportThrottled();
          if (ctx.cancelled()) stop_tools = true;
        });
    if (!stats.ok()) stop_tools = true;
    video.Close();  // x265, if still writing, now gets SIGPIPE
    tools.join();

    std::error_code ec;
    if (ran.ok()) {
      LogResult(ctx, "ffmpeg", cmds.decode, ran->decode);
      LogResult(ctx, "x265", cmds.encode, ran->encode);
    }
    if (ctx.cancelled()) {
      std::filesystem::remove(target.part, ec);
      return absl::CancelledError("encode cancelled");
    }
    const absl::Status tools_status = ran.ok() ? PipeStatus(*ran) : ran.status();
    if (!tools_status.ok()) {
      // A tool that failed by itself (not stopped by us, not SIGPIPE after the remux gave up) is
      // the cause: the remux then only saw a short stream.
      const bool stopped_by_us =
          !stats.ok() &&
          (ran.ok() && (ran->encode.cancelled || ran->encode.term_signal == SIGPIPE));
      std::filesystem::remove(target.part, ec);
      if (!stopped_by_us) return tools_status;
    }
    if (!stats.ok()) return stats.status();
    relay.ReportThrottled(/*force=*/true);
    StepResult result;
    RecordOutput(ctx, target.part, *stats, result.checkpoint);
    result.checkpoint.facts[kFactEncodedFrames] = absl::StrCat(stats->output_video_packets);
    result.checkpoint.facts[kFactPixFmt] = cmds.pix_fmt;
    result.checkpoint.facts[media::kFactBytesWritten] = absl::StrCat(stats->output_bytes);
    result.checkpoint.facts["encode_seconds"] =
        absl::StrCat(absl::ToDoubleSeconds(absl::Now() - start));
    return result;
  }

  media::SharedSettings settings_;
  ReencodeOptions options_;
  bool dolby_vision_;
};

}  // namespace

std::unique_ptr<Step> MakeEncodeStep(media::SharedSettings settings, ReencodeOptions options,
                                     bool dolby_vision) {
  return std::make_unique<EncodeStep>(std::move(settings), std::move(options), dolby_vision);
}

}  // namespace mkvfleet::agent::encode
