// The re-encode plans' mux step (see reencode_steps.h). By default the encode step already muxed
// x265's output as it came, and this step only says so; with checkpoint_encoded_video it muxes
// the work dir's encoded.hevc, and after a chunked encode the joined stream in the shared work
// dir, on the source's timestamps with every other track of the source.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "agent/encode/reencode_output.h"
#include "agent/encode/reencode_steps.h"
#include "agent/media/test_pause.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

class ReencodeMuxStep final : public Step {
 public:
  ReencodeMuxStep(media::SharedSettings s, ReencodeOptions o, bool dv)
      : settings_(std::move(s)), options_(std::move(o)), dolby_vision_(dv) {}
  std::string name() const override { return "mux"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    const Checkpoint* encoded = ctx.CheckpointOf("encode");
    if (encoded == nullptr) return absl::FailedPreconditionError("step encode has no checkpoint");
    std::string hevc;
    for (const Artifact& a : encoded->artifacts) {
      if (a.name == media::kArtifactOutput) return AlreadyMuxed(ctx, *encoded, a);
      if (a.name == kArtifactEncoded) {
        // kShared: a chunked encode's joined stream in the shared work dir.
        hevc = a.location == ArtifactLocation::kShared ? ctx.ToLocal(a.path) : a.path;
      }
    }
    if (hevc.empty()) return absl::FailedPreconditionError("step encode recorded no encoded_bl");
    return MuxFile(ctx, hevc);
  }

 private:
  // The encode step streamed x265 into the output: nothing left to do but hand its output on.
  static absl::StatusOr<StepResult> AlreadyMuxed(const StepContext& ctx, const Checkpoint& encoded,
                                                 const Artifact& output) {
    if (!std::filesystem::exists(output.path)) {
      return absl::UnavailableError(absl::StrCat("output ", output.path, " is gone; rerun encode"));
    }
    StepResult result;
    result.checkpoint.facts["note"] =
        absl::StrCat("nothing to do: the encode step muxed x265's output into ", output.path,
                     " in the same pass");
    result.checkpoint.artifacts.push_back(output);
    for (const char* fact : {media::kFactSourceFrames, media::kFactOutputBytes}) {
      auto it = encoded.facts.find(fact);
      if (it != encoded.facts.end()) result.checkpoint.facts[fact] = it->second;
    }
    result.checkpoint.facts[media::kFactBytesWritten] = "0";
    ctx.Log(LogLevel::kInfo, result.checkpoint.facts["note"]);
    return result;
  }

  absl::StatusOr<StepResult> MuxFile(StepContext& ctx, const std::string& hevc) {
    ASSIGN_OR_RETURN(const media::MediaInfo info, media::ProbedInfo(ctx));
    ASSIGN_OR_RETURN(const std::string pix_fmt, media::EarlierFact(ctx, "encode", kFactPixFmt));
    std::error_code ec;
    const auto hevc_bytes = std::filesystem::file_size(hevc, ec);
    if (ec) {
      // Lost (e.g. the work dir was cleaned): the encode has to run again.
      return absl::UnavailableError(absl::StrCat("encoded video ", hevc, " is gone"));
    }
    // The new video plus the source's other tracks (estimated as a quarter of the source).
    const int64_t needed =
        static_cast<int64_t>(hevc_bytes) + info.size_bytes / 4 + media::kFreeSpaceMargin;
    ASSIGN_OR_RETURN(
        const OutputTarget target,
        PrepareOutput(ctx, *settings_,
                      options_.free_space ? options_.free_space : media::RealFreeSpace(), needed));
    EncodedVideoInput video(hevc, pix_fmt == "yuv420p" ? 8 : 10);
    media::ProgressMeter meter(ctx, info.frame_count);
    ASSIGN_OR_RETURN(const libav::RemuxStats stats,
                     MuxEncodedVideo(ctx, target, video, info, dolby_vision_, [&](int64_t n) {
                       meter.Update(n);
                       if (n == info.frame_count / 2) media::PauseIfAsked(ctx, "mux-half");
                     }));
    meter.Update(stats.source_video_packets, /*force=*/true);
    StepResult result;
    RecordOutput(ctx, target.part, stats, result.checkpoint);
    result.checkpoint.facts[media::kFactBytesWritten] = absl::StrCat(stats.output_bytes);
    return result;
  }

  media::SharedSettings settings_;
  ReencodeOptions options_;
  bool dolby_vision_;
};

}  // namespace

std::unique_ptr<Step> MakeReencodeMuxStep(media::SharedSettings settings, ReencodeOptions options,
                                          bool dolby_vision) {
  return std::make_unique<ReencodeMuxStep>(std::move(settings), std::move(options), dolby_vision);
}

}  // namespace mkvfleet::agent::encode
