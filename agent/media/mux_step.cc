// dv-convert's single-pass mux step (see output_steps.h).
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "agent/media/dv_convert_input.h"
#include "agent/media/output_steps.h"
#include "agent/media/probe_plan_steps.h"
#include "agent/media/test_pause.h"
#include "common/libav/remuxer.h"
#include "common/matroska/matroska_rewriter.h"
#include "common/matroska/tracks_edit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace {

class DvConvertMuxStep final : public Step {
 public:
  DvConvertMuxStep(SharedSettings s, FreeSpaceFn f)
      : settings_(std::move(s)), free_space_(std::move(f)) {}
  std::string name() const override { return "mux"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    ASSIGN_OR_RETURN(const MediaInfo info, ProbedInfo(ctx));
    ASSIGN_OR_RETURN(const std::string dest, EarlierFact(ctx, "plan", kFactDestination));
    RETURN_IF_ERROR(CheckDestinationFree(dest, settings_->publish));
    RETURN_IF_ERROR(EnsureParentDir(dest));
    const std::string folder = std::filesystem::path(dest).parent_path().string();
    const std::string part = PartPathFor(dest, ctx.task().job_id);
    std::error_code ec;
    std::filesystem::remove(part, ec);  // an earlier attempt's leftover
    // The output is the source minus the EL: never larger than the source.
    const int64_t needed = info.size_bytes + kFreeSpaceMargin;
    absl::StatusOr<int64_t> free = free_space_(folder);
    if (free.ok()) {
      ctx.Log(LogLevel::kInfo, absl::StrCat("free space in ", folder, ": ", *free,
                                            " bytes; this step writes up to ", needed));
    }
    RETURN_IF_ERROR(CheckFreeSpace(free_space_, folder, needed, "the converted file"));

    ASSIGN_OR_RETURN(const RpuPatches patches, RpuRepairsFor(ctx));
    const dovi::DoviConfigRecord rec = dovi::Profile81Record(info.dovi.level);
    ProgressMeter meter(ctx, info.frame_count);
    bool first_report = true;
    auto progress = [&](int64_t n) {
      meter.Update(n);
      if (first_report) {  // the first cluster (or packet) is in the part file
        first_report = false;
        PauseIfAsked(ctx, "convert-mux");
      }
    };
    int64_t without_rpu = 0, inserted = 0;
    absl::StatusOr<libav::RemuxStats> stats =
        absl::UnimplementedError("direct rewrite turned off (direct_rewrite = false)");
    if (settings_->direct_rewrite) {
      ctx.Log(LogLevel::kInfo,
              absl::StrCat("mux: ", ctx.source_path(), " -> ", part,
                           " (direct rewrite: drop EL, RPU -> 8.1, DV record profile 8 compat 1)"));
      DvConvertInput frames(patches);
      stats = matroska::RewriteMatroska({ctx.source_path(), part, &frames,
                                         dovi::SerializeDoviConfigRecord(rec),
                                         matroska::kFourccDvvc, progress, ctx.cancel_flag()});
      without_rpu = frames.packets_without_rpu();
      inserted = frames.rpus_inserted();
    }
    if (stats.status().code() == absl::StatusCode::kUnimplemented) {
      ctx.Log(LogLevel::kInfo,
              absl::StrCat("mux: ", stats.status().message(),
                           "; using the libavformat remux: ", ctx.source_path(), " -> ", part,
                           " (drop EL, RPU -> 8.1, DV record profile 8 compat 1)"));
      DvConvertInput video(patches);
      stats = libav::Remux({ctx.source_path(), part, &video, rec, progress, ctx.cancel_flag()});
      without_rpu = video.packets_without_rpu();
      inserted = video.rpus_inserted();
    }
    if (!stats.ok()) {
      const absl::Status& s = stats.status();
      if (s.code() == absl::StatusCode::kDataLoss) {  // unreadable source: retrying cannot help
        return absl::DataLossError(absl::StrCat("mux: ", s.message()));
      }
      return s;
    }
    meter.Update(stats->source_video_packets, /*force=*/true);
    if (info.frame_count > 0 && stats->source_video_packets != info.frame_count) {
      std::filesystem::remove(part, ec);
      return absl::DataLossError(absl::StrCat(ctx.source_path(), ": read ",
                                              stats->source_video_packets,
                                              " video frames but the file announces ",
                                              info.frame_count, " (truncated or damaged source)"));
    }
    if (without_rpu > 0) {
      ctx.Log(LogLevel::kWarn, absl::StrCat(without_rpu, " source frames carry no RPU"));
    }
    if (inserted > 0) {
      ctx.Log(LogLevel::kInfo, absl::StrCat("mux: ", inserted, " frames got a repaired RPU"));
    }
    ctx.Log(LogLevel::kInfo,
            absl::StrCat("mux: ", stats->source_video_packets, " video frames, ",
                         stats->other_packets, " other packets, ", stats->output_bytes,
                         " bytes written (", info.size_bytes, " bytes read)"));
    StepResult result;
    result.checkpoint.artifacts.push_back(Artifact{kArtifactOutput, part,
                                                   ArtifactLocation::kAgentLocal, ctx.agent_name(),
                                                   stats->output_bytes});
    result.checkpoint.facts[kFactSourceFrames] = absl::StrCat(stats->source_video_packets);
    result.checkpoint.facts[kFactOutputBytes] = absl::StrCat(stats->output_bytes);
    result.checkpoint.facts[kFactBytesWritten] = absl::StrCat(stats->output_bytes);
    return result;
  }

 private:
  SharedSettings settings_;
  FreeSpaceFn free_space_;
};

}  // namespace

std::unique_ptr<Step> MakeDvConvertMuxStep(SharedSettings settings, FreeSpaceFn free_space) {
  return std::make_unique<DvConvertMuxStep>(std::move(settings), std::move(free_space));
}

}  // namespace mkvfleet::agent::media
