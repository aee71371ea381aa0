// The re-encode plans' mux step: x265's stream on the source's timestamps with every other track
// of the source, into a part file beside the destination, then the sampled SSIM check (see
// reencode_steps.h).
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/encode/encoded_video_input.h"
#include "agent/encode/reencode_steps.h"
#include "agent/media/output_steps.h"
#include "common/remux/remuxer.h"

namespace mkvfleet::agent::encode {
namespace {

class ReencodeMuxStep final : public Step {
 public:
  ReencodeMuxStep(media::SharedSettings s, ReencodeOptions o, bool dv)
      : settings_(std::move(s)), options_(std::move(o)), dolby_vision_(dv) {}
  std::string name() const override { return "mux"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    absl::StatusOr<media::MediaInfo> info = media::ProbedInfo(ctx);
    if (!info.ok()) return info.status();
    absl::StatusOr<std::string> dest = media::EarlierFact(ctx, "plan", media::kFactDestination);
    if (!dest.ok()) return dest.status();
    absl::StatusOr<std::string> pix_fmt = media::EarlierFact(ctx, "encode", kFactPixFmt);
    if (!pix_fmt.ok()) return pix_fmt.status();
    std::string hevc;
    if (const Checkpoint* cp = ctx.CheckpointOf("encode"); cp != nullptr) {
      for (const Artifact& a : cp->artifacts) {
        if (a.name == kArtifactEncoded) hevc = a.path;
      }
    }
    if (hevc.empty()) return absl::FailedPreconditionError("step encode recorded no encoded_bl");
    std::error_code ec;
    const auto hevc_bytes = std::filesystem::file_size(hevc, ec);
    if (ec) {
      // Lost (e.g. the work dir was cleaned): the encode has to run again.
      return absl::UnavailableError(absl::StrCat("encoded video ", hevc, " is gone"));
    }
    if (absl::Status s = media::CheckDestinationFree(*dest, settings_->publish); !s.ok()) return s;
    if (absl::Status s = media::EnsureParentDir(*dest); !s.ok()) return s;
    const std::string folder = std::filesystem::path(*dest).parent_path().string();
    const std::string part = media::PartPathFor(*dest, ctx.task().job_id);
    std::filesystem::remove(part, ec);  // an earlier attempt's leftover

    // The new video plus the source's other tracks (estimated as a quarter of the source).
    const int64_t needed =
        static_cast<int64_t>(hevc_bytes) + info->size_bytes / 4 + media::kFreeSpaceMargin;
    const media::FreeSpaceFn free_space =
        options_.free_space ? options_.free_space : media::RealFreeSpace();
    if (absl::StatusOr<int64_t> free = free_space(folder); free.ok()) {
      ctx.Log(LogLevel::kInfo, absl::StrCat("free space in ", folder, ": ", *free,
                                            " bytes; this step writes about ", needed));
    }
    if (absl::Status s = media::CheckFreeSpace(free_space, folder, needed, "the re-encoded file");
        !s.ok()) {
      return s;
    }

    EncodedVideoInput video(hevc, *pix_fmt == "yuv420p" ? 8 : 10);
    std::optional<mkv::DoviConfigRecord> rec;
    if (dolby_vision_) {
      rec.emplace();
      rec->dv_profile = 8;
      rec->dv_level = static_cast<uint8_t>(info->dovi.level);
      rec->rpu_present_flag = true;
      rec->el_present_flag = false;
      rec->bl_present_flag = true;
      rec->dv_bl_signal_compatibility_id = 1;
    }
    media::ProgressMeter meter(ctx, info->frame_count);
    ctx.Log(LogLevel::kInfo,
            absl::StrCat("mux: ", hevc, " on the timestamps of ", ctx.source_path(), " -> ", part,
                         dolby_vision_ ? " (DV record profile 8 compat 1)" : " (no DV record)"));
    absl::StatusOr<remux::RemuxStats> stats = remux::Remux(
        {ctx.source_path(), part, &video, rec, [&](int64_t n) { meter.Update(n); },
         ctx.cancel_flag()});
    if (!stats.ok()) {
      const absl::Status& s = stats.status();
      if (s.code() == absl::StatusCode::kDataLoss || s.code() == absl::StatusCode::kInvalidArgument ||
          s.code() == absl::StatusCode::kFailedPrecondition) {
        return absl::DataLossError(absl::StrCat("mux: ", s.message()));
      }
      return s;
    }
    meter.Update(stats->source_video_packets, /*force=*/true);
    ctx.Log(LogLevel::kInfo,
            absl::StrCat("mux: ", stats->output_video_packets, " video frames (source ",
                         stats->source_video_packets, "), ", stats->other_packets,
                         " other packets, ", stats->output_bytes, " bytes written"));
    StepResult result;
    if (options_.check_ssim) {
      absl::StatusOr<double> ssim =
          MeasureSsim(settings_->Tool("ffmpeg"), ctx.source_path(), part, info->duration_s,
                      *pix_fmt, options_.ssim, settings_->tool_timeout, ctx);
      if (!ssim.ok()) {
        if (ssim.status().code() != absl::StatusCode::kCancelled) std::filesystem::remove(part, ec);
        return ssim.status();
      }
      const std::string verdict = absl::StrFormat("SSIM %.5f against the source (floor %.3f)",
                                                  *ssim, settings_->ssim_floor);
      if (*ssim < settings_->ssim_floor) {
        std::filesystem::remove(part, ec);
        ctx.Log(LogLevel::kError, absl::StrCat("ssim: FAILED ", verdict, "; removed ", part));
        return absl::DataLossError(absl::StrCat(ctx.source_path(), ": re-encode too far from the "
                                                "source: ", verdict, "; lower crf or raise the "
                                                "preset of the x265 profile"));
      }
      ctx.Log(LogLevel::kInfo, absl::StrCat("ssim: ok, ", verdict));
      result.checkpoint.facts[kFactSsim] = absl::StrFormat("%.6f", *ssim);
    }
    result.checkpoint.artifacts.push_back(Artifact{media::kArtifactOutput, part,
                                                   ArtifactLocation::kAgentLocal,
                                                   ctx.agent_name(), stats->output_bytes});
    result.checkpoint.facts[media::kFactSourceFrames] = absl::StrCat(stats->source_video_packets);
    result.checkpoint.facts[media::kFactOutputBytes] = absl::StrCat(stats->output_bytes);
    result.checkpoint.facts["bytes_written"] = absl::StrCat(stats->output_bytes);
    return result;
  }

 private:
  media::SharedSettings settings_;
  ReencodeOptions options_;
  bool dolby_vision_;
};

}  // namespace

std::unique_ptr<Step> MakeReencodeMuxStep(media::SharedSettings settings, ReencodeOptions options,
                                          bool dolby_vision) {
  return std::make_unique<ReencodeMuxStep>(std::move(settings), std::move(options),
                                           dolby_vision);
}

}  // namespace mkvfleet::agent::encode
