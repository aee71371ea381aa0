// Per-packet drop-EL + RPU conversion for the remuxer (see the header).
#include "agent/media/dv_convert_input.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {

absl::Status DvConvertInput::StartRewriter(absl::Span<const uint8_t> hvcc) {
  dvstream::PacketRewriteOptions opts;
  opts.drop_el = true;
  const dovi::ConversionMode mode = mode_;
  opts.transform = [mode](absl::Span<const uint8_t> payload) {
    return dovi::ConvertRpuPayload(payload, mode);
  };
  absl::StatusOr<dvstream::PacketRewriter> rw =
      dvstream::PacketRewriter::Create(hvcc, std::move(opts));
  if (!rw.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unusable HEVC configuration (hvcC): ", rw.status().message()));
  }
  rewriter_.emplace(*std::move(rw));
  return absl::OkStatus();
}

absl::StatusOr<dvstream::RewrittenPacket> DvConvertInput::Convert(absl::Span<const uint8_t> frame) {
  auto patch = patches_.find(static_cast<uint64_t>(packets_++));
  absl::StatusOr<dvstream::RewrittenPacket> r = rewriter_->Rewrite(
      frame, patch == patches_.end() ? absl::Span<const uint8_t>() : patch->second);
  if (!r.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("video packet ", packets_, ": ", r.status().message()));
  }
  if (!r->rpu) ++packets_without_rpu_;
  if (r->rpu_inserted) ++rpus_inserted_;
  return r;
}

absl::Status DvConvertInput::Configure(const AVCodecParameters& source, AVCodecParameters&) {
  if (source.codec_id != AV_CODEC_ID_HEVC) {
    return absl::InvalidArgumentError("dv-convert needs an HEVC video track");
  }
  return StartRewriter(absl::Span<const uint8_t>(source.extradata, source.extradata_size));
}

absl::Status DvConvertInput::Push(AVPacket& source_packet, std::vector<libav::PacketPtr>& out) {
  ASSIGN_OR_RETURN(const dvstream::RewrittenPacket r,
                   Convert(absl::Span<const uint8_t>(source_packet.data, source_packet.size)));
  libav::PacketPtr p = libav::MakePacket();
  if (av_new_packet(p.get(), static_cast<int>(r.data.size())) < 0) {
    return absl::ResourceExhaustedError("out of memory for a video packet");
  }
  std::memcpy(p->data, r.data.data(), r.data.size());
  av_packet_copy_props(p.get(), &source_packet);  // pts, dts, duration, flags
  p->pos = -1;
  out.push_back(std::move(p));
  return absl::OkStatus();
}

absl::Status DvConvertInput::Start(const matroska::VideoTrackEntry& track) {
  if (track.codec_id != "V_MPEGH/ISO/HEVC") {
    return absl::InvalidArgumentError(
        absl::StrCat("dv-convert needs an HEVC video track, not ", track.codec_id));
  }
  return StartRewriter(track.codec_private);
}

absl::Status DvConvertInput::Rewrite(absl::Span<const uint8_t> frame, std::vector<uint8_t>& out) {
  ASSIGN_OR_RETURN(const dvstream::RewrittenPacket r, Convert(frame));
  out.insert(out.end(), r.data.begin(), r.data.end());
  return absl::OkStatus();
}

}  // namespace mkvfleet::agent::media
