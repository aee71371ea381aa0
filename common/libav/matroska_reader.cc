// libavformat-backed implementation of MatroskaReader.
#include "common/libav/matroska_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

extern "C" {
#include <libavutil/dovi_meta.h>
#include <libavutil/log.h>
}

namespace mkvfleet::libav {
namespace {

absl::Status CheckReadableFile(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    }
    return absl::PermissionDeniedError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  return absl::OkStatus();
}

std::optional<dovi::DoviConfigRecord> StreamDoviConfig(const AVStream* st) {
  size_t size = 0;
  const uint8_t* data = av_stream_get_side_data(st, AV_PKT_DATA_DOVI_CONF, &size);
  if (data == nullptr || size < sizeof(AVDOVIDecoderConfigurationRecord)) return std::nullopt;
  const auto* rec = reinterpret_cast<const AVDOVIDecoderConfigurationRecord*>(data);
  dovi::DoviConfigRecord r;
  r.dv_version_major = rec->dv_version_major;
  r.dv_version_minor = rec->dv_version_minor;
  r.dv_profile = rec->dv_profile;
  r.dv_level = rec->dv_level;
  r.rpu_present_flag = rec->rpu_present_flag;
  r.el_present_flag = rec->el_present_flag;
  r.bl_present_flag = rec->bl_present_flag;
  r.dv_bl_signal_compatibility_id = rec->dv_bl_signal_compatibility_id;
  return r;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MatroskaReader>> MatroskaReader::Open(const std::string& path) {
  RETURN_IF_ERROR(CheckReadableFile(path));
  AVFormatContext* raw = nullptr;
  int rc = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (rc < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a readable media file (", AvErrorText(rc), ")"));
  }
  std::unique_ptr<MatroskaReader> reader(new MatroskaReader());
  reader->path_ = path;
  reader->ctx_.reset(raw);
  if (!absl::StrContains(raw->iformat->name, "matroska")) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a Matroska file (looks like ", raw->iformat->name, ")"));
  }
  const AVStream* video = nullptr;
  for (unsigned i = 0; i < raw->nb_streams; ++i) {
    const AVStream* st = raw->streams[i];
    if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        (st->disposition & AV_DISPOSITION_ATTACHED_PIC) == 0) {
      video = st;
      break;
    }
  }
  if (video == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": no video track"));
  }
  VideoTrackInfo& v = reader->video_;
  const AVCodecParameters* par = video->codecpar;
  v.stream_index = video->index;
  v.codec_name = avcodec_get_name(par->codec_id);
  v.is_hevc = par->codec_id == AV_CODEC_ID_HEVC;
  v.width = par->width;
  v.height = par->height;
  if (par->extradata != nullptr && par->extradata_size > 0) {
    v.codec_private.assign(par->extradata, par->extradata + par->extradata_size);
  }
  v.dovi = StreamDoviConfig(video);
  AVRational fr = video->avg_frame_rate.num > 0 ? video->avg_frame_rate : video->r_frame_rate;
  if (fr.num > 0 && fr.den > 0) v.frame_rate = {fr.num, fr.den};
  v.time_base = {video->time_base.num, video->time_base.den};
  return reader;
}

absl::StatusOr<bool> MatroskaReader::ReadPacket(AVPacket& pkt) {
  av_packet_unref(&pkt);
  int rc = av_read_frame(ctx_.get(), &pkt);
  if (rc == AVERROR_EOF) return false;
  if (rc < 0) {
    return absl::DataLossError(absl::StrCat(path_, ": cannot read packet (", AvErrorText(rc), ")"));
  }
  return true;
}

absl::StatusOr<bool> MatroskaReader::ReadVideoPacket(AVPacket& pkt) {
  while (true) {
    ASSIGN_OR_RETURN(bool got, ReadPacket(pkt));
    if (!got) return false;
    if (pkt.stream_index == video_.stream_index) return true;
  }
}

void QuietLibavLogging() { av_log_set_level(AV_LOG_QUIET); }

}  // namespace mkvfleet::libav
