// The video track of the lossless dv-convert plan: each source frame rewritten by
// dvstream::PacketRewriter — enhancement-layer NAL units dropped, the RPU converted to profile 8.1
// by dovi::ConvertRpuPayload (mode 2) — on the source's own timestamps and hvcC. Serves both
// paths: the libavformat remux (VideoTrackInput) and the direct element-level rewrite
// (FrameRewriter); one instance per pass. Source packets without an RPU get their repaired RPU
// from the patches given (RpuRepairsFor), converted like the others.
#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/media/rpu_scan.h"
#include "common/dovi/rpu_convert.h"
#include "common/dvstream/packet_rewriter.h"
#include "common/libav/video_track_input.h"
#include "common/matroska/matroska_rewriter.h"

namespace mkvfleet::agent::media {

class DvConvertInput final : public libav::VideoTrackInput, public matroska::FrameRewriter {
 public:
  // `patches`: the RPU (unconverted) of each source packet without one, by packet index in
  // decode order.
  explicit DvConvertInput(RpuPatches patches = {},
                          dovi::ConversionMode mode = dovi::ConversionMode::kTo81)
      : patches_(std::move(patches)), mode_(mode) {}

  // Reads the hvcC of the source. InvalidArgument when the track is not HEVC or the hvcC is bad.
  absl::Status Configure(const AVCodecParameters& source, AVCodecParameters& out) override;
  // Errors: InvalidArgument naming the packet (malformed NALs, an RPU that does not convert).
  absl::Status Push(AVPacket& source_packet, std::vector<libav::PacketPtr>& out) override;
  absl::Status Finish(std::vector<libav::PacketPtr>&) override { return absl::OkStatus(); }

  // FrameRewriter: the same, for the direct rewrite.
  absl::Status Start(const matroska::VideoTrackEntry& track) override;
  absl::Status Rewrite(absl::Span<const uint8_t> frame, std::vector<uint8_t>& out) override;

  // Output packets without an RPU (source packets without one and without a patch).
  int64_t packets_without_rpu() const { return packets_without_rpu_; }
  int64_t rpus_inserted() const { return rpus_inserted_; }

 private:
  absl::Status StartRewriter(absl::Span<const uint8_t> hvcc);
  absl::StatusOr<dvstream::RewrittenPacket> Convert(absl::Span<const uint8_t> frame);

  RpuPatches patches_;
  dovi::ConversionMode mode_;
  std::optional<dvstream::PacketRewriter> rewriter_;
  int64_t packets_ = 0;
  int64_t packets_without_rpu_ = 0;
  int64_t rpus_inserted_ = 0;
};

}  // namespace mkvfleet::agent::media
