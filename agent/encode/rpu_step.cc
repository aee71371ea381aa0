// dv-reencode's rpu step: one streaming pass over the source's video packets, each RPU converted
// to profile 8.1 and written in display order (see reencode_steps.h); frames without an RPU get
// the repaired one when the probe chose to repair (RpuRepairsFor).
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "agent/encode/reencode_steps.h"
#include "agent/media/probe_plan_steps.h"
#include "common/dovi/rpu_convert.h"
#include "common/dvstream/packet_rewriter.h"
#include "common/dvstream/rpu_file.h"
#include "common/libav/matroska_reader.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

class RpuStep final : public Step {
 public:
  explicit RpuStep(media::SharedSettings s) : settings_(std::move(s)) {}
  std::string name() const override { return "rpu"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    ASSIGN_OR_RETURN(const media::MediaInfo info, media::ProbedInfo(ctx));
    const std::string path = (std::filesystem::path(ctx.work_dir()) / "rpu81.bin").string();
    absl::StatusOr<int64_t> count = Extract(ctx, info, path);
    if (!count.ok()) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
      return count.status();
    }
    if (info.frame_count > 0 && *count != info.frame_count) {
      return absl::DataLossError(
          absl::StrCat(ctx.source_path(), ": ", *count, " RPUs for ", info.frame_count, " frames"));
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    ctx.Log(LogLevel::kInfo, absl::StrCat("rpu: ", *count, " RPUs converted to 8.1 -> ", path, " (",
                                          size, " bytes)"));
    StepResult result;
    result.checkpoint.artifacts.push_back(Artifact{kArtifactRpu, path,
                                                   ArtifactLocation::kAgentLocal, ctx.agent_name(),
                                                   static_cast<int64_t>(size)});
    result.checkpoint.facts[kFactRpuCount] = absl::StrCat(*count);
    result.checkpoint.facts[media::kFactBytesWritten] = absl::StrCat(size);
    return result;
  }

 private:
  // Returns the number of RPUs written.
  static absl::StatusOr<int64_t> Extract(StepContext& ctx, const media::MediaInfo& info,
                                         const std::string& path) {
    ASSIGN_OR_RETURN(const media::RpuPatches patches, media::RpuRepairsFor(ctx));
    ASSIGN_OR_RETURN(const std::unique_ptr<libav::MatroskaReader> reader,
                     libav::MatroskaReader::Open(ctx.source_path()));
    const libav::VideoTrackInfo& video = reader->video();
    if (!video.is_hevc) {
      return absl::FailedPreconditionError(
          absl::StrCat(ctx.source_path(), ": video is ", video.codec_name, ", not HEVC"));
    }
    dvstream::PacketRewriteOptions opts;
    opts.drop_el = true;
    opts.transform = [](absl::Span<const uint8_t> payload) {
      // Mode 2 for MEL and FEL alike: a FEL's mapping becomes the identity (its residual is
      // not in the re-encoded base layer either).
      return dovi::ConvertRpuPayload(payload, dovi::ConversionMode::kTo81);
    };
    absl::StatusOr<dvstream::PacketRewriter> rewriter =
        dvstream::PacketRewriter::Create(video.codec_private, std::move(opts));
    if (!rewriter.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          ctx.source_path(), ": unusable HEVC configuration: ", rewriter.status().message()));
    }
    ASSIGN_OR_RETURN(const std::unique_ptr<dvstream::FileSink> sink,
                     dvstream::FileSink::Create(path));
    dvstream::DisplayOrderRpuWriter writer(*sink);
    media::ProgressMeter meter(ctx, info.frame_count);
    libav::PacketPtr pkt = libav::MakePacket();
    int64_t packets = 0;
    while (true) {
      if (ctx.cancelled()) return absl::CancelledError("rpu extraction cancelled");
      absl::StatusOr<bool> got = reader->ReadVideoPacket(*pkt);
      if (!got.ok()) return absl::DataLossError(got.status().message());
      if (!*got) break;
      auto patch = patches.find(static_cast<uint64_t>(packets++));
      absl::StatusOr<dvstream::RewrittenPacket> r =
          rewriter->Inspect(absl::Span<const uint8_t>(pkt->data, pkt->size),
                            patch == patches.end() ? absl::Span<const uint8_t>() : patch->second);
      av_packet_unref(pkt.get());
      if (!r.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(ctx.source_path(), ": video frame ", packets, ": ", r.status().message()));
      }
      if (!r->rpu) {
        return absl::DataLossError(
            absl::StrCat(ctx.source_path(), ": video frame ", packets, " has no Dolby Vision RPU"));
      }
      if (absl::Status s = writer.Add(r->frame.key, *std::move(r->rpu)); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(ctx.source_path(), ": video frame ", packets, ": ", s.message()));
      }
      meter.Update(packets);
    }
    RETURN_IF_ERROR(writer.Finish());
    meter.Update(packets, /*force=*/true);
    return static_cast<int64_t>(writer.written());
  }

  media::SharedSettings settings_;
};

}  // namespace

std::unique_ptr<Step> MakeRpuStep(media::SharedSettings settings) {
  return std::make_unique<RpuStep>(std::move(settings));
}

}  // namespace mkvfleet::agent::encode
