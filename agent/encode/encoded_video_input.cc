// x265's output as the remuxer's video track (see the header).
#include "agent/encode/encoded_video_input.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/hevc/nal_unit.h"
#include "common/status/status_macros.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/mem.h>
}

namespace mkvfleet::agent::encode {
namespace {

void AppendAnnexB(absl::Span<const uint8_t> nal, std::vector<uint8_t>& out) {
  static constexpr uint8_t kStartCode[] = {0, 0, 0, 1};
  out.insert(out.end(), std::begin(kStartCode), std::end(kStartCode));
  out.insert(out.end(), nal.begin(), nal.end());
}

// A pipe's bytes as they arrive (read(2) returns what is there; stdio would wait for a full
// buffer). The fd stays owned by EncodedVideoInput.
class FdSource final : public dvstream::ByteSource {
 public:
  FdSource(int fd, std::string name) : fd_(fd), name_(std::move(name)), buffer_(1 << 16) {}
  absl::StatusOr<absl::Span<const uint8_t>> Read() override {
    while (true) {
      const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
      if (n >= 0) return absl::Span<const uint8_t>(buffer_.data(), static_cast<size_t>(n));
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat(name_, ": cannot read: ", std::strerror(errno)));
    }
  }

 private:
  int fd_;
  std::string name_;
  std::vector<uint8_t> buffer_;
};

}  // namespace

EncodedVideoInput::EncodedVideoInput(int fd, std::string name, int output_depth)
    : path_(std::move(name)), output_depth_(output_depth), fd_(fd) {}

EncodedVideoInput::~EncodedVideoInput() { Close(); }

void EncodedVideoInput::Close() {
  reader_.reset();
  file_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::StatusOr<bool> EncodedVideoInput::ReadOne() {
  if (eof_) return false;
  if (reader_ == nullptr) return absl::FailedPreconditionError(absl::StrCat(path_, ": closed"));
  absl::StatusOr<bool> got = reader_->Next(&au_);
  if (!got.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": ", got.status().message()));
  }
  if (!*got) {
    eof_ = true;
    return false;
  }
  absl::StatusOr<hevc::FrameInfo> frame = dvstream::AnalyzeAccessUnit(analyzer_, au_, read_);
  if (!frame.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": ", frame.status().message()));
  }
  if (!frame->has_picture) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": access unit ", read_, " holds no picture"));
  }
  ++read_;
  if (!times_) times_.emplace(frame->sps_max_num_reorder_pics);
  if (absl::Status s = times_->AddOutputFrame(frame->key); !s.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(path_, ": ", s.message()));
  }
  PendingFrame f;
  f.annexb.reserve(au_.byte_size() + 4 * au_.size());
  for (size_t i = 0; i < au_.size(); ++i) AppendAnnexB(au_.nal(i), f.annexb);
  f.keyframe = hevc::IsIrap(frame->nal_unit_type);
  pending_.push_back(std::move(f));
  return true;
}

absl::Status EncodedVideoInput::Configure(const AVCodecParameters&, AVCodecParameters& out) {
  if (fd_ >= 0) {
    file_ = std::make_unique<FdSource>(fd_, path_);
  } else {
    ASSIGN_OR_RETURN(file_, dvstream::FileSource::Open(path_));
  }
  reader_ = std::make_unique<dvstream::AccessUnitReader>(*file_);
  ASSIGN_OR_RETURN(const bool first, ReadOne());
  if (!first) return absl::InvalidArgumentError(absl::StrCat(path_, ": no pictures"));
  // The first unit carries the parameter sets (x265 writes them ahead of the first picture).
  std::vector<uint8_t> extradata;
  bool vps = false, sps = false, pps = false;
  for (size_t i = 0; i < au_.size(); ++i) {
    const uint8_t t = au_.type(i);
    if (t != hevc::kVps && t != hevc::kSps && t != hevc::kPps) continue;
    vps |= t == hevc::kVps;
    sps |= t == hevc::kSps;
    pps |= t == hevc::kPps;
    AppendAnnexB(au_.nal(i), extradata);
  }
  if (!vps || !sps || !pps) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": the first access unit lacks its VPS, SPS or PPS"));
  }
  av_freep(&out.extradata);
  out.extradata_size = 0;
  out.extradata =
      static_cast<uint8_t*>(av_mallocz(extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (out.extradata == nullptr) return absl::ResourceExhaustedError("out of memory (extradata)");
  std::memcpy(out.extradata, extradata.data(), extradata.size());
  out.extradata_size = static_cast<int>(extradata.size());
  out.codec_id = AV_CODEC_ID_HEVC;
  out.codec_tag = 0;
  out.profile = output_depth_ == 10 ? FF_PROFILE_HEVC_MAIN_10 : FF_PROFILE_HEVC_MAIN;
  out.level = FF_LEVEL_UNKNOWN;
  out.format = output_depth_ == 10 ? AV_PIX_FMT_YUV420P10LE : AV_PIX_FMT_YUV420P;
  out.bits_per_raw_sample = output_depth_;
  out.bit_rate = 0;
  return absl::OkStatus();
}

absl::Status EncodedVideoInput::Emit(std::vector<libav::PacketPtr>& out) {
  while (!pending_.empty()) {
    std::optional<FrameTimestamps> t = times_->Next();
    if (!t) break;
    PendingFrame& f = pending_.front();
    libav::PacketPtr p = libav::MakePacket();
    if (av_new_packet(p.get(), static_cast<int>(f.annexb.size())) < 0) {
      return absl::ResourceExhaustedError("out of memory for a video packet");
    }
    std::memcpy(p->data, f.annexb.data(), f.annexb.size());
    p->pts = t->pts;
    p->dts = t->dts;
    p->duration = t->duration;
    if (f.keyframe) p->flags |= AV_PKT_FLAG_KEY;
    p->pos = -1;
    out.push_back(std::move(p));
    pending_.pop_front();
    ++frames_out_;
  }
  return absl::OkStatus();
}

absl::Status EncodedVideoInput::Push(AVPacket& source_packet, std::vector<libav::PacketPtr>& out) {
  if (source_packet.pts == AV_NOPTS_VALUE) {
    return absl::InvalidArgumentError(
        absl::StrCat("source video packet ", times_->source_frames() + 1, " has no timestamp"));
  }
  times_->AddSourceFrame(source_packet.pts, source_packet.duration);
  // Keep the encoded stream one frame per source frame (the first was read by Configure).
  if (times_->output_frames() < times_->source_frames()) {
    RETURN_IF_ERROR(ReadOne());
  }
  return Emit(out);
}

absl::Status EncodedVideoInput::Finish(std::vector<libav::PacketPtr>& out) {
  times_->FinishSource();
  while (true) {
    ASSIGN_OR_RETURN(const bool got, ReadOne());
    if (!got) break;
  }
  absl::Status counted = times_->FinishOutput();
  RETURN_IF_ERROR(Emit(out));
  RETURN_IF_ERROR(counted);
  if (!pending_.empty()) {
    return absl::InternalError(absl::StrCat(pending_.size(), " encoded frames got no timestamp"));
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::agent::encode
