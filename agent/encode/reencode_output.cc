// The re-encode's output part file and its remux (see the header).
#include "agent/encode/reencode_output.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {

absl::StatusOr<OutputTarget> PrepareOutput(const StepContext& ctx,
                                           const media::MediaSettings& settings,
                                           const media::FreeSpaceFn& free_space, int64_t needed) {
  ASSIGN_OR_RETURN(const std::string dest,
                   media::EarlierFact(ctx, "plan", media::kFactDestination));
  RETURN_IF_ERROR(media::CheckDestinationFree(dest, settings.publish));
  RETURN_IF_ERROR(media::EnsureParentDir(dest));
  OutputTarget t;
  t.destination = dest;
  t.folder = std::filesystem::path(dest).parent_path().string();
  t.part = media::PartPathFor(dest, ctx.task().job_id);
  std::error_code ec;
  std::filesystem::remove(t.part, ec);  // an earlier attempt's leftover
  if (absl::StatusOr<int64_t> free = free_space(t.folder); free.ok()) {
    ctx.Log(LogLevel::kInfo, absl::StrCat("free space in ", t.folder, ": ", *free,
                                          " bytes; the output needs about ", needed));
  }
  RETURN_IF_ERROR(media::CheckFreeSpace(free_space, t.folder, needed, "the re-encoded file"));
  return t;
}

std::optional<dovi::DoviConfigRecord> OutputDoviRecord(const media::MediaInfo& source,
                                                       bool dolby_vision) {
  if (!dolby_vision) return std::nullopt;
  return dovi::Profile81Record(source.dovi.level);
}

absl::StatusOr<libav::RemuxStats> MuxEncodedVideo(StepContext& ctx, const OutputTarget& target,
                                                  EncodedVideoInput& video,
                                                  const media::MediaInfo& source, bool dolby_vision,
                                                  const std::function<void(int64_t)>& on_packet) {
  ctx.Log(LogLevel::kInfo,
          absl::StrCat("mux: the encoded video on the timestamps of ", ctx.source_path(), " -> ",
                       target.part,
                       dolby_vision ? " (DV record profile 8 compat 1)" : " (no DV record)"));
  absl::StatusOr<libav::RemuxStats> stats =
      libav::Remux({ctx.source_path(), target.part, &video, OutputDoviRecord(source, dolby_vision),
                    on_packet, ctx.cancel_flag()});
  if (!stats.ok()) {
    const absl::Status& s = stats.status();
    if (s.code() == absl::StatusCode::kDataLoss || s.code() == absl::StatusCode::kInvalidArgument ||
        s.code() == absl::StatusCode::kFailedPrecondition) {
      return absl::DataLossError(absl::StrCat("mux: ", s.message()));
    }
    return s;
  }
  ctx.Log(LogLevel::kInfo,
          absl::StrCat("mux: ", stats->output_video_packets, " video frames (source ",
                       stats->source_video_packets, "), ", stats->other_packets, " other packets, ",
                       stats->output_bytes, " bytes written"));
  return stats;
}

void RecordOutput(const StepContext& ctx, const std::string& part, const libav::RemuxStats& stats,
                  Checkpoint& checkpoint) {
  checkpoint.artifacts.push_back(Artifact{media::kArtifactOutput, part,
                                          ArtifactLocation::kAgentLocal, ctx.agent_name(),
                                          stats.output_bytes});
  checkpoint.facts[media::kFactSourceFrames] = absl::StrCat(stats.source_video_packets);
  checkpoint.facts[media::kFactOutputBytes] = absl::StrCat(stats.output_bytes);
}

}  // namespace mkvfleet::agent::encode
