// Seeking and decoding single sampled frames of a dual-layer Dolby Vision MKV.
#include "common/libav/dual_layer_sampler.h"

#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/hevc/length_prefixed.h"
#include "common/hevc/nal_unit.h"

extern "C" {
#include <libavformat/avformat.h>
}

namespace mkvfleet::libav {
namespace {

constexpr uint8_t kStartCode[4] = {0, 0, 0, 1};
// Reading for one frame's RPU stops after this many packets past the seek point even when the
// frame was not met (a GOP longer than this is not seen in practice).
constexpr int kMaxPacketsPerRpu = 2000;

void AppendAnnexB(absl::Span<const uint8_t> nal, std::vector<uint8_t>& out) {
  out.insert(out.end(), kStartCode, kStartCode + 4);
  out.insert(out.end(), nal.begin(), nal.end());
}

bool IsParameterSet(uint8_t type) {
  return type == hevc::kVps || type == hevc::kSps || type == hevc::kPps;
}

absl::Status AtFrame(int64_t frame, const absl::Status& st) {
  return absl::Status(st.code(), absl::StrCat("frame ", frame, ": ", st.message()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<DualLayerSampler>> DualLayerSampler::Open(const std::string& path) {
  absl::StatusOr<std::unique_ptr<MatroskaReader>> reader = MatroskaReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::unique_ptr<DualLayerSampler> s(new DualLayerSampler());
  s->reader_ = *std::move(reader);
  const VideoTrackInfo& v = s->reader_->video();
  const AVStream* stream = s->reader_->format_context()->streams[v.stream_index];
  const double fps = v.frame_rate.value();
  const double tick = v.time_base.value();
  if (fps <= 0 || tick <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": the video track has no frame rate; cannot number its frames"));
  }
  s->frames_per_tick_ = fps * tick;
  s->start_pts_ = stream->start_time != AV_NOPTS_VALUE ? stream->start_time : 0;
  double seconds = 0;
  if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0) {
    seconds = static_cast<double>(stream->duration) * tick;
  } else if (s->reader_->format_context()->duration > 0) {
    seconds = static_cast<double>(s->reader_->format_context()->duration) / AV_TIME_BASE;
  }
  s->frame_count_ = stream->nb_frames > 0 ? stream->nb_frames : std::llround(seconds * fps);
  if (s->frame_count_ <= 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": the video track's duration is unknown; cannot sample its frames"));
  }
  if (!v.is_hevc) return s;
  if (!v.codec_private.empty()) {
    absl::StatusOr<hevc::HvccConfig> hvcc = hevc::ParseHvcc(v.codec_private);
    if (!hvcc.ok())
      return absl::InvalidArgumentError(absl::StrCat(path, ": hvcC: ", hvcc.status().message()));
    s->nal_length_size_ = hvcc->nal_length_size;
  }
  PacketPtr pkt = MakePacket();
  absl::StatusOr<bool> got = s->reader_->ReadVideoPacket(*pkt);
  if (!got.ok()) return got.status();
  if (*got) {
    absl::StatusOr<Layers> layers = s->Split(*pkt);
    if (!layers.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": first video packet: ", layers.status().message()));
    }
    s->has_el_ = !layers->el.empty();
    s->el_parameter_sets_ = std::move(layers->el_parameter_sets);
  }
  return s;
}

absl::StatusOr<DualLayerSampler::Layers> DualLayerSampler::Split(const AVPacket& pkt) const {
  absl::StatusOr<std::vector<absl::Span<const uint8_t>>> nals =
      hevc::SplitLengthPrefixed(absl::MakeConstSpan(pkt.data, pkt.size), nal_length_size_);
  if (!nals.ok()) return nals.status();
  Layers out;
  for (absl::Span<const uint8_t> nal : *nals) {
    if (nal.empty()) return absl::InvalidArgumentError("empty NAL");
    const uint8_t type = hevc::NalTypeOf(nal);
    if (type == hevc::kUnspec62) {
      if (!out.rpu && nal.size() > 2) out.rpu.emplace(nal.begin() + 2, nal.end());
    } else if (type == hevc::kUnspec63) {
      if (nal.size() <= 2) return absl::InvalidArgumentError("empty EL NAL (type 63)");
      absl::Span<const uint8_t> el = nal.subspan(2);
      AppendAnnexB(el, out.el);
      if (IsParameterSet(hevc::NalTypeOf(el))) AppendAnnexB(el, out.el_parameter_sets);
    } else if (absl::Status st = hevc::AppendLengthPrefixed(nal, nal_length_size_, out.bl);
               !st.ok()) {
      return st;
    }
  }
  return out;
}

int64_t DualLayerSampler::FrameOf(int64_t pts) const {
  return std::llround(static_cast<double>(pts - start_pts_) * frames_per_tick_);
}

absl::Status DualLayerSampler::SeekBefore(int64_t frame) {
  const int64_t pts = start_pts_ + std::llround(static_cast<double>(frame) / frames_per_tick_);
  AVFormatContext* ctx = reader_->format_context();
  if (int err = av_seek_frame(ctx, video().stream_index, pts, AVSEEK_FLAG_BACKWARD); err < 0) {
    return absl::DataLossError(
        absl::StrCat(reader_->path(), ": frame ", frame, ": cannot seek: ", AvErrorText(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<dovi::analyze::SampledRpu> DualLayerSampler::RpuAt(int64_t frame) {
  dovi::analyze::SampledRpu best;
  best.frame = -1;
  if (!video().is_hevc) return dovi::analyze::SampledRpu{frame, std::nullopt};
  if (absl::Status st = SeekBefore(frame); !st.ok()) return st;
  PacketPtr pkt = MakePacket();
  for (int read = 0; read < kMaxPacketsPerRpu; ++read) {
    absl::StatusOr<bool> got = reader_->ReadVideoPacket(*pkt);
    if (!got.ok()) return got.status();
    if (!*got) break;
    const int64_t f = FrameOf(pkt->pts);
    // A later keyframe past the frame: its GOP is over.
    if (read > 0 && (pkt->flags & AV_PKT_FLAG_KEY) != 0 && f > frame && best.frame >= 0) break;
    if (f < frame || (best.frame >= 0 && f >= best.frame)) continue;
    absl::StatusOr<Layers> layers = Split(*pkt);
    if (!layers.ok()) return AtFrame(f, layers.status());
    best.frame = f;
    best.payload = std::move(layers->rpu);
    if (f == frame) break;
  }
  if (best.frame < 0) {
    return absl::NotFoundError(
        absl::StrCat(reader_->path(), ": no video packet at or after frame ", frame));
  }
  return best;
}

absl::Status DualLayerSampler::Decoders() {
  if (bl_decoder_ == nullptr) {
    absl::StatusOr<std::unique_ptr<HevcDecoder>> bl =
        HevcDecoder::Create(video().codec_private, "BL");
    if (!bl.ok()) return bl.status();
    bl_decoder_ = *std::move(bl);
  }
  if (has_el_ && el_decoder_ == nullptr) {
    absl::StatusOr<std::unique_ptr<HevcDecoder>> el = HevcDecoder::Create({}, "EL");
    if (!el.ok()) return el.status();
    el_decoder_ = *std::move(el);
  }
  return absl::OkStatus();
}

absl::StatusOr<dovi::analyze::DecodedSample> DualLayerSampler::DecodeAt(int64_t frame) {
  if (!video().is_hevc) {
    return absl::FailedPreconditionError(
        absl::StrCat(reader_->path(), ": the video track is ", video().codec_name, ", not HEVC"));
  }
  if (absl::Status st = Decoders(); !st.ok()) return st;
  if (absl::Status st = SeekBefore(frame); !st.ok()) return st;
  bl_decoder_->Flush();
  if (el_decoder_) el_decoder_->Flush();

  std::optional<DecodedPicture> bl;                // the BL picture of the frame, once decoded
  std::map<int64_t, dovi::compose::Frame420> els;  // EL pictures at or after the frame, by pts
  std::map<int64_t, std::vector<uint8_t>> rpus;    // RPU payloads by pts
  bool el_started = false;
  auto done = [&] { return bl && (!has_el_ || els.count(bl->pts) > 0) && rpus.count(bl->pts) > 0; };
  // Takes what both decoders have ready.
  auto drain = [&]() -> absl::Status {
    while (!bl) {
      absl::StatusOr<std::optional<DecodedPicture>> p = bl_decoder_->Receive();
      if (!p.ok()) return p.status();
      if (!p->has_value()) break;
      if (FrameOf((*p)->pts) >= frame) bl = std::move(*p);
    }
    while (el_decoder_) {
      absl::StatusOr<std::optional<DecodedPicture>> p = el_decoder_->Receive();
      if (!p.ok()) return p.status();
      if (!p->has_value()) break;
      if (FrameOf((*p)->pts) >= frame && (!bl || (*p)->pts == bl->pts)) {
        els[(*p)->pts] = std::move((*p)->frame);
      }
    }
    return absl::OkStatus();
  };

  PacketPtr pkt = MakePacket();
  bool eof = false;
  while (!done() && !eof) {
    absl::StatusOr<bool> got = reader_->ReadVideoPacket(*pkt);
    if (!got.ok()) return AtFrame(frame, got.status());
    if (!*got) {
      eof = true;
      if (absl::Status st = bl_decoder_->SendEndOfStream(); !st.ok()) return AtFrame(frame, st);
      if (el_decoder_) {
        if (absl::Status st = el_decoder_->SendEndOfStream(); !st.ok()) return AtFrame(frame, st);
      }
    } else {
      absl::StatusOr<Layers> layers = Split(*pkt);
      if (!layers.ok()) return AtFrame(FrameOf(pkt->pts), layers.status());
      if (layers->rpu) rpus[pkt->pts] = *std::move(layers->rpu);
      if (!bl) {
        if (absl::Status st = bl_decoder_->Send(layers->bl, pkt->pts); !st.ok()) {
          return AtFrame(frame, st);
        }
      }
      if (el_decoder_ && !layers->el.empty()) {
        std::vector<uint8_t> el = std::move(layers->el);
        if (!el_started)
          el.insert(el.begin(), el_parameter_sets_.begin(), el_parameter_sets_.end());
        el_started = true;
        if (absl::Status st = el_decoder_->Send(el, pkt->pts); !st.ok()) return AtFrame(frame, st);
      }
    }
    if (absl::Status st = drain(); !st.ok()) return AtFrame(frame, st);
  }
  if (!done()) {
    return absl::DataLossError(absl::StrCat(reader_->path(), ": frame ", frame,
                                            ": the file ended before ",
                                            !bl                        ? "its BL picture"
                                            : rpus.count(bl->pts) == 0 ? "its RPU"
                                                                       : "its EL picture",
                                            " was found"));
  }
  dovi::analyze::DecodedSample sample;
  sample.frame = FrameOf(bl->pts);
  sample.rpu = std::move(rpus[bl->pts]);
  if (has_el_) sample.el = std::move(els[bl->pts]);
  sample.bl = std::move(bl->frame);
  return sample;
}

}  // namespace mkvfleet::libav
