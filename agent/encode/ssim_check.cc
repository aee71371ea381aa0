// Sampled SSIM (see the header).
#include "agent/encode/ssim_check.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/process/subprocess.h"

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
    absl::StatusOr<process::ProcessResult> r = process::RunProcess(std::move(spec));
    if (!r.ok()) return r.status();
    if (r->cancelled) return absl::CancelledError("SSIM check cancelled");
    if (!r->success()) {
      return absl::InternalError(absl::StrCat("ssim segment ", i + 1, "/", segments.size(),
                                              ": ffmpeg ", r->Describe(), ": ", r->stderr_tail));
    }
    absl::StatusOr<double> v = ParseSsimAll(summary);
    if (!v.ok()) return v.status();
    ctx.Log(LogLevel::kInfo,
            absl::StrFormat("ssim segment %d/%d at %.1fs: %.6f (%s)", i + 1, segments.size(),
                            segments[i].start_s, *v, absl::FormatDuration(r->duration)));
    sum += *v;
  }
  return sum / segments.size();
}

}  // namespace mkvfleet::agent::encode
