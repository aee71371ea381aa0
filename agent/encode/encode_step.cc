// The re-encode plans' encode step: ffmpeg | x265 into the work dir (see reencode_steps.h).
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/encode/encoder_pipe.h"
#include "agent/encode/reencode_steps.h"
#include "agent/encode/x265_args.h"
#include "agent/media/output_steps.h"

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

class EncodeStep final : public Step {
 public:
  EncodeStep(media::SharedSettings s, ReencodeOptions o, bool dv)
      : settings_(std::move(s)), options_(std::move(o)), dolby_vision_(dv) {}
  std::string name() const override { return "encode"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    absl::StatusOr<media::MediaInfo> info = media::ProbedInfo(ctx);
    if (!info.ok()) return info.status();
    EncodeJob job;
    job.ffmpeg = settings_->Tool("ffmpeg");
    job.x265 = settings_->Tool("x265");
    job.source_path = ctx.source_path();
    job.output_hevc = (std::filesystem::path(ctx.work_dir()) / "encoded.hevc").string();
    if (dolby_vision_) {
      absl::StatusOr<std::string> rpu = EarlierArtifact(ctx, "rpu", kArtifactRpu);
      if (!rpu.ok()) return rpu.status();
      if (!std::filesystem::exists(*rpu)) {
        return absl::UnavailableError(absl::StrCat("RPU file ", *rpu, " is gone; rerun rpu"));
      }
      job.rpu_path = *rpu;
    }
    absl::StatusOr<EncodeCommands> cmds = BuildEncodeCommands(*info, options_.profile, job);
    if (!cmds.ok()) return cmds.status();

    // The encoded stream is at most about the source's size at sane settings.
    const int64_t needed = info->size_bytes + media::kFreeSpaceMargin;
    const media::FreeSpaceFn free_space =
        options_.free_space ? options_.free_space : media::RealFreeSpace();
    if (absl::StatusOr<int64_t> free = free_space(ctx.work_dir()); free.ok()) {
      ctx.Log(LogLevel::kInfo, absl::StrCat("free space in ", ctx.work_dir(), ": ", *free,
                                            " bytes; the encode writes up to about ", needed));
    }
    if (absl::Status s =
            media::CheckFreeSpace(free_space, ctx.work_dir(), needed, "the encoded video");
        !s.ok()) {
      return s;
    }

    std::error_code ec;
    std::filesystem::remove(job.output_hevc, ec);  // an earlier attempt's leftover
    const absl::Time start = absl::Now();
    absl::Time last_report = absl::InfinitePast();
    const int64_t total = info->frame_count;
    PipeRequest req;
    req.decode = cmds->decode;
    req.encode = cmds->encode;
    req.timeout = settings_->tool_timeout;
    req.cancel = ctx.cancel_flag();
    req.on_progress = [&](const ToolProgress& p) {
      const absl::Time now = absl::Now();
      if (now - last_report < absl::Milliseconds(500)) return;
      last_report = now;
      Progress progress = media::MakeProgress(p.frames_done, total, now - start);
      if (p.fps > 0) progress.fps = p.fps;
      if (p.eta_ms > 0) progress.eta_ms = p.eta_ms;
      ctx.ReportProgress(progress);
    };
    ctx.Log(LogLevel::kInfo, absl::StrCat("encode: ", total, " frames, preset ",
                                          options_.profile.preset, " crf ", options_.profile.crf,
                                          dolby_vision_ ? ", Dolby Vision 8.1 RPUs" : ""));
    absl::StatusOr<PipeResult> ran = RunDecodeEncodePipe(req);
    if (!ran.ok()) {
      std::filesystem::remove(job.output_hevc, ec);
      return ran.status();
    }
    LogResult(ctx, "ffmpeg", cmds->decode, ran->decode);
    LogResult(ctx, "x265", cmds->encode, ran->encode);
    if (absl::Status s = PipeStatus(*ran); !s.ok()) {
      std::filesystem::remove(job.output_hevc, ec);
      return s;
    }
    const auto size = std::filesystem::file_size(job.output_hevc, ec);
    if (ec || size == 0) {
      return absl::InternalError(absl::StrCat("x265 wrote no output to ", job.output_hevc));
    }
    ctx.ReportProgress(media::MakeProgress(total, total, absl::Now() - start));
    StepResult result;
    result.checkpoint.artifacts.push_back(Artifact{kArtifactEncoded, job.output_hevc,
                                                   ArtifactLocation::kAgentLocal,
                                                   ctx.agent_name(), static_cast<int64_t>(size)});
    result.checkpoint.facts[kFactEncodedFrames] = absl::StrCat(total);
    result.checkpoint.facts[kFactPixFmt] = cmds->pix_fmt;
    result.checkpoint.facts["bytes_written"] = absl::StrCat(size);
    result.checkpoint.facts["encode_seconds"] =
        absl::StrCat(absl::ToDoubleSeconds(absl::Now() - start));
    return result;
  }

 private:
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
