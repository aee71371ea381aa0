// Sampled SSIM (see the header).
#include "agent/encode/ssim_check.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/encode/reencode_steps.h"
#include "common/process/subprocess.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {

absl::StatusOr<double> MeasureSsim(const std::string& ffmpeg, const std::string& source,
                                   const std::string& output, double duration_s,
                                   const std::string& pix_fmt, const SsimSampling& sampling,
                                   absl::Duration timeout, const StepContext& ctx) {
  const std::vector<SsimSegment> segments = PlanSsimSegments(duration_s, sampling);
  double sum = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    process::ProcessSpec spec;
    spec.argv = SsimArgs(ffmpeg, source, output, segments[i], pix_fmt);
    spec.timeout = timeout;
    spec.cancel = ctx.cancel_flag();
    std::string summary;
    spec.on_stderr_line = [&summary](absl::string_view l) {
      if (l.find("] SSIM Y:") != absl::string_view::npos) summary = std::string(l);
    };
    ctx.Log(LogLevel::kInfo, absl::StrCat("ssim: ", process::FormatArgv(spec.argv)));
    ASSIGN_OR_RETURN(const process::ProcessResult r, process::RunProcess(std::move(spec)));
    if (r.cancelled) return absl::CancelledError("SSIM check cancelled");
    if (!r.success()) {
      return absl::InternalError(absl::StrCat("ssim segment ", i + 1, "/", segments.size(),
                                              ": ffmpeg ", r.Describe(), ": ", r.stderr_tail));
    }
    ASSIGN_OR_RETURN(const double v, ParseSsimAll(summary));
    ctx.Log(LogLevel::kInfo,
            absl::StrFormat("ssim segment %d/%d at %.1fs: %.6f (%s)", i + 1, segments.size(),
                            segments[i].start_s, v, absl::FormatDuration(r.duration)));
    sum += v;
  }
  return sum / segments.size();
}

media::VerifyExtraCheck MakeSsimCheck(media::SharedSettings settings, SsimSampling sampling) {
  return [settings = std::move(settings), sampling](StepContext& ctx, const std::string& part,
                                                    StepResult& result) -> absl::Status {
    ASSIGN_OR_RETURN(const media::MediaInfo info, media::ProbedInfo(ctx));
    ASSIGN_OR_RETURN(const std::string pix_fmt, media::EarlierFact(ctx, "encode", kFactPixFmt));
    ASSIGN_OR_RETURN(const double ssim,
                     MeasureSsim(settings->Tool("ffmpeg"), ctx.source_path(), part, info.duration_s,
                                 pix_fmt, sampling, settings->tool_timeout, ctx));
    const std::string verdict =
        absl::StrFormat("SSIM %.5f against the source (floor %.3f)", ssim, settings->ssim_floor);
    result.checkpoint.facts[kFactSsim] = absl::StrFormat("%.6f", ssim);
    if (ssim < settings->ssim_floor) {
      ctx.Log(LogLevel::kError, absl::StrCat("verify ssim: FAILED ", verdict));
      return absl::DataLossError(
          absl::StrCat(ctx.source_path(), ": re-encode too far from the source: ", verdict,
                       "; lower crf or choose a slower preset in the x265 profile"));
    }
    ctx.Log(LogLevel::kInfo, absl::StrCat("verify ssim: ok (", verdict, ")"));
    return absl::OkStatus();
  };
}

}  // namespace mkvfleet::agent::encode
