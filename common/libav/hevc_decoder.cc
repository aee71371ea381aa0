// libavcodec HEVC decoding into composer planes.
#include "common/libav/hevc_decoder.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/libav/av_handles.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
}

namespace mkvfleet::libav {
namespace {

void CopyPlane(const AVFrame& frame, int index, dovi::compose::Plane16& plane) {
  for (int y = 0; y < plane.height; ++y) {
    std::memcpy(plane.row(y), frame.data[index] + static_cast<ptrdiff_t>(y) * frame.linesize[index],
                static_cast<size_t>(plane.width) * sizeof(uint16_t));
  }
}

}  // namespace

absl::StatusOr<dovi::compose::Frame420> ToFrame420(const AVFrame& frame) {
  if (frame.format != AV_PIX_FMT_YUV420P10LE) {
    const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame.format));
    return absl::FailedPreconditionError(
        absl::StrCat("decoded pictures are ", name != nullptr ? name : "of an unknown format",
                     ", not 10-bit 4:2:0 (yuv420p10le)"));
  }
  dovi::compose::Frame420 out = dovi::compose::Frame420::Make(frame.width, frame.height);
  CopyPlane(frame, 0, out.y);
  CopyPlane(frame, 1, out.cb);
  CopyPlane(frame, 2, out.cr);
  return out;
}

absl::StatusOr<std::unique_ptr<HevcDecoder>> HevcDecoder::Create(
    absl::Span<const uint8_t> extradata, std::string name) {
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_HEVC);
  if (codec == nullptr) return absl::InternalError("libavcodec has no HEVC decoder");
  std::unique_ptr<HevcDecoder> d(new HevcDecoder());
  d->name_ = std::move(name);
  d->ctx_ = avcodec_alloc_context3(codec);
  d->frame_ = av_frame_alloc();
  if (d->ctx_ == nullptr || d->frame_ == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(d->name_, " decoder: out of memory"));
  }
  if (!extradata.empty()) {
    d->ctx_->extradata =
        static_cast<uint8_t*>(av_mallocz(extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (d->ctx_->extradata == nullptr) {
      return absl::ResourceExhaustedError(absl::StrCat(d->name_, " decoder: out of memory"));
    }
    std::memcpy(d->ctx_->extradata, extradata.data(), extradata.size());
    d->ctx_->extradata_size = static_cast<int>(extradata.size());
  }
  d->ctx_->thread_count = 0;  // libavcodec picks (one per core)
  if (int err = avcodec_open2(d->ctx_, codec, nullptr); err < 0) {
    return absl::InternalError(absl::StrCat(
        d->name_, " decoder: cannot open libavcodec's HEVC decoder: ", AvErrorText(err)));
  }
  return d;
}

HevcDecoder::~HevcDecoder() {
  av_frame_free(&frame_);
  avcodec_free_context(&ctx_);
}

absl::Status HevcDecoder::Send(absl::Span<const uint8_t> data, int64_t pts) {
  if (data.empty()) return absl::OkStatus();  // an empty packet would mean end of stream
  PacketPtr pkt = MakePacket();
  if (int err = av_new_packet(pkt.get(), static_cast<int>(data.size())); err < 0) {
    return absl::ResourceExhaustedError(absl::StrCat(name_, " decoder: ", AvErrorText(err)));
  }
  std::memcpy(pkt->data, data.data(), data.size());
  pkt->pts = pts;
  pkt->dts = AV_NOPTS_VALUE;
  if (int err = avcodec_send_packet(ctx_, pkt.get()); err < 0) {
    return absl::DataLossError(
        absl::StrCat(name_, " decoder: picture at pts ", pts, ": ", AvErrorText(err)));
  }
  return absl::OkStatus();
}

absl::Status HevcDecoder::SendEndOfStream() {
  if (int err = avcodec_send_packet(ctx_, nullptr); err < 0 && err != AVERROR_EOF) {
    return absl::DataLossError(absl::StrCat(name_, " decoder: draining: ", AvErrorText(err)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<DecodedPicture>> HevcDecoder::Receive() {
  const int err = avcodec_receive_frame(ctx_, frame_);
  if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return std::nullopt;
  if (err < 0) return absl::DataLossError(absl::StrCat(name_, " decoder: ", AvErrorText(err)));
  DecodedPicture picture;
  picture.pts = frame_->pts != AV_NOPTS_VALUE ? frame_->pts : frame_->best_effort_timestamp;
  absl::StatusOr<dovi::compose::Frame420> planes = ToFrame420(*frame_);
  av_frame_unref(frame_);
  if (!planes.ok()) {
    return absl::Status(planes.status().code(),
                        absl::StrCat(name_, ": ", planes.status().message()));
  }
  picture.frame = *std::move(planes);
  return picture;
}

void HevcDecoder::Flush() { avcodec_flush_buffers(ctx_); }

}  // namespace mkvfleet::libav
