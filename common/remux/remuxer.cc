// The single-pass libavformat remux (see remuxer.h).
#include "common/remux/remuxer.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/mkv/matroska_reader.h"
#include "common/remux/output_file.h"

extern "C" {
#include <libavutil/dovi_meta.h>
}

namespace mkvfleet::remux {
namespace {

// Owns an output context and its AVIOContext.
struct OutputContextDeleter {
  void operator()(AVFormatContext* ctx) const {
    if (ctx == nullptr) return;
    if (ctx->pb != nullptr && !(ctx->oformat->flags & AVFMT_NOFILE) &&
        !(ctx->flags & AVFMT_FLAG_CUSTOM_IO)) {
      avio_closep(&ctx->pb);
    }
    avformat_free_context(ctx);
  }
};
using OutputContextPtr = std::unique_ptr<AVFormatContext, OutputContextDeleter>;

// Statistics tags mkvmerge wrote for the source video track; they describe the old bytes.
bool IsStaleVideoTag(absl::string_view key) {
  return absl::StartsWith(key, "BPS") || absl::StartsWith(key, "NUMBER_OF_BYTES") ||
         absl::StartsWith(key, "_STATISTICS_");
}

absl::Status OutputError(const std::string& path, const char* what, int rc) {
  return absl::InternalError(
      absl::StrCat(path, ": cannot ", what, " (", mkv::AvErrorText(rc), ")"));
}

absl::Status CopyStreamSideData(const AVStream& in, AVStream& out, bool skip_dovi) {
  for (int i = 0; i < in.nb_side_data; ++i) {
    const AVPacketSideData& sd = in.side_data[i];
    if (skip_dovi && sd.type == AV_PKT_DATA_DOVI_CONF) continue;
    uint8_t* dst = av_stream_new_side_data(&out, sd.type, sd.size);
    if (dst == nullptr) return absl::ResourceExhaustedError("out of memory copying side data");
    std::memcpy(dst, sd.data, sd.size);
  }
  return absl::OkStatus();
}

absl::Status AddDoviConfig(const mkv::DoviConfigRecord& r, AVStream& out) {
  size_t size = 0;
  AVDOVIDecoderConfigurationRecord* rec = av_dovi_alloc(&size);
  if (rec == nullptr) return absl::ResourceExhaustedError("out of memory for the DV record");
  rec->dv_version_major = r.dv_version_major;
  rec->dv_version_minor = r.dv_version_minor;
  rec->dv_profile = r.dv_profile;
  rec->dv_level = r.dv_level;
  rec->rpu_present_flag = r.rpu_present_flag;
  rec->el_present_flag = r.el_present_flag;
  rec->bl_present_flag = r.bl_present_flag;
  rec->dv_bl_signal_compatibility_id = r.dv_bl_signal_compatibility_id;
  int rc = av_stream_add_side_data(&out, AV_PKT_DATA_DOVI_CONF, reinterpret_cast<uint8_t*>(rec),
                                   size);
  if (rc < 0) {
    av_free(rec);
    return absl::InternalError(absl::StrCat("cannot attach DV record: ", mkv::AvErrorText(rc)));
  }
  return absl::OkStatus();
}

absl::Status CopyChapters(const AVFormatContext& in, AVFormatContext& out) {
  if (in.nb_chapters == 0) return absl::OkStatus();
  out.chapters = static_cast<AVChapter**>(av_calloc(in.nb_chapters, sizeof(AVChapter*)));
  if (out.chapters == nullptr) return absl::ResourceExhaustedError("out of memory for chapters");
  for (unsigned i = 0; i < in.nb_chapters; ++i) {
    const AVChapter* c = in.chapters[i];
    auto* copy = static_cast<AVChapter*>(av_mallocz(sizeof(AVChapter)));
    if (copy == nullptr) return absl::ResourceExhaustedError("out of memory for chapters");
    copy->id = c->id;
    copy->time_base = c->time_base;
    copy->start = c->start;
    copy->end = c->end;
    if (copy->end == AV_NOPTS_VALUE) {
      // The demuxer leaves open ends to its stream probing: the next chapter's start, or the end
      // of the file for the last one.
      if (i + 1 < in.nb_chapters) {
        const AVChapter* next = in.chapters[i + 1];
        copy->end = av_rescale_q(next->start, next->time_base, c->time_base);
      } else if (in.duration != AV_NOPTS_VALUE) {
        copy->end = av_rescale_q(in.duration, AV_TIME_BASE_Q, c->time_base);
      }
      if (copy->end < copy->start) copy->end = copy->start;
    }
    av_dict_copy(&copy->metadata, c->metadata, 0);
    out.chapters[out.nb_chapters++] = copy;
  }
  return absl::OkStatus();
}

// Matroska stores presentation times only, so libavformat derives decode times from the
// reorder depth and leaves the first packets of a stream with B-frames without one. The muxer
// wants both ("Timestamps are unset in a packet"), so those packets are held until a packet with
// a decode time arrives and then given the decode times just before it, one frame apart; packets
// that never see one get their presentation times in sorted order, shifted to stay <= pts.
class DtsFiller {
 public:
  // Appends to `ready` the packets that now have both timestamps, in decode order.
  void Add(mkv::PacketPtr p, std::vector<mkv::PacketPtr>& ready) {
    if (p->dts == AV_NOPTS_VALUE && p->pts != AV_NOPTS_VALUE && held_.size() < kMaxHeld &&
        !seen_dts_) {
      held_.push_back(std::move(p));
      return;
    }
    if (p->dts != AV_NOPTS_VALUE && !held_.empty()) {
      int64_t next = p->dts;
      for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
        next -= (*it)->duration > 0 ? (*it)->duration : std::max<int64_t>(p->duration, 1);
        (*it)->dts = std::min(next, (*it)->pts);
        next = (*it)->dts;
      }
    }
    Flush(ready);
    if (p->dts != AV_NOPTS_VALUE) seen_dts_ = true;
    if (p->dts == AV_NOPTS_VALUE && p->pts != AV_NOPTS_VALUE && !seen_dts_) p->dts = p->pts;
    ready.push_back(std::move(p));
  }
  // Packets still held get decode times from their own presentation times.
  void Flush(std::vector<mkv::PacketPtr>& ready) {
    if (held_.empty()) return;
    if (held_.front()->dts == AV_NOPTS_VALUE) {
      std::vector<int64_t> sorted;
      for (const auto& h : held_) sorted.push_back(h->pts);
      std::sort(sorted.begin(), sorted.end());
      int64_t shift = 0;
      for (size_t i = 0; i < held_.size(); ++i) shift = std::max(shift, sorted[i] - held_[i]->pts);
      for (size_t i = 0; i < held_.size(); ++i) held_[i]->dts = sorted[i] - shift;
    }
    for (auto& h : held_) ready.push_back(std::move(h));
    held_.clear();
  }

 private:
  static constexpr size_t kMaxHeld = 32;
  std::vector<mkv::PacketPtr> held_;
  bool seen_dts_ = false;
};

// The pass itself; the caller removes the output on error.
absl::StatusOr<RemuxStats> RunRemux(const RemuxRequest& req) {
  absl::StatusOr<std::unique_ptr<mkv::MatroskaReader>> reader =
      mkv::MatroskaReader::Open(req.source_path);
  if (!reader.ok()) return reader.status();
  AVFormatContext* ic = (*reader)->format_context();
  const int video_index = (*reader)->video().stream_index;
  // Lets libavformat learn the video's reorder depth, so packets get decode timestamps (Matroska
  // stores only presentation times) and the muxer sees monotonic dts; also completes audio
  // parameters. Reads (and keeps for us) the first packets only.
  int rc = avformat_find_stream_info(ic, nullptr);
  if (rc < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        req.source_path, ": cannot analyse the streams (", mkv::AvErrorText(rc), ")"));
  }

  std::unique_ptr<OutputFile> file;  // outlives the muxer, which writes through it
  AVFormatContext* raw_out = nullptr;
  rc = avformat_alloc_output_context2(&raw_out, nullptr, "matroska", req.output_path.c_str());
  if (rc < 0 || raw_out == nullptr) return OutputError(req.output_path, "create muxer", rc);
  OutputContextPtr oc(raw_out);

  std::vector<int> stream_map(ic->nb_streams, -1);
  for (unsigned i = 0; i < ic->nb_streams; ++i) {
    const AVStream* ist = ic->streams[i];
    const bool is_video = static_cast<int>(i) == video_index;
    if (!is_video && ist->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        (ist->disposition & AV_DISPOSITION_ATTACHED_PIC) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          req.source_path, ": more than one video track (stream ", i, "); not supported"));
    }
    AVStream* ost = avformat_new_stream(oc.get(), nullptr);
    if (ost == nullptr) return absl::ResourceExhaustedError("out of memory for a stream");
    rc = avcodec_parameters_copy(ost->codecpar, ist->codecpar);
    if (rc < 0) return OutputError(req.output_path, "copy codec parameters", rc);
    ost->codecpar->codec_tag = 0;
    ost->time_base = ist->time_base;
    ost->avg_frame_rate = ist->avg_frame_rate;
    ost->r_frame_rate = ist->r_frame_rate;
    ost->sample_aspect_ratio = ist->sample_aspect_ratio;
    ost->disposition = ist->disposition;
    const AVDictionaryEntry* e = nullptr;
    while ((e = av_dict_get(ist->metadata, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
      if (is_video && IsStaleVideoTag(e->key)) continue;
      av_dict_set(&ost->metadata, e->key, e->value, 0);
    }
    if (absl::Status s = CopyStreamSideData(*ist, *ost, is_video); !s.ok()) return s;
    if (is_video) {
      if (absl::Status s = req.video->Configure(*ist->codecpar, *ost->codecpar); !s.ok()) return s;
      if (req.video_dovi) {
        if (absl::Status s = AddDoviConfig(*req.video_dovi, *ost); !s.ok()) return s;
      }
    }
    stream_map[i] = ost->index;
  }
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(ic->metadata, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    if (absl::EqualsIgnoreCase(e->key, "encoder")) continue;  // the muxer writes its own
    av_dict_set(&oc->metadata, e->key, e->value, 0);
  }
  if (absl::Status s = CopyChapters(*ic, *oc); !s.ok()) return s;

  absl::StatusOr<std::unique_ptr<OutputFile>> created = OutputFile::Create(req.output_path);
  if (!created.ok()) return created.status();
  file = *std::move(created);
  oc->pb = file->avio();
  oc->flags |= AVFMT_FLAG_CUSTOM_IO;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "default_mode", "passthrough", 0);  // keep the source's default flags
  rc = avformat_write_header(oc.get(), &opts);
  av_dict_free(&opts);
  if (rc < 0) return OutputError(req.output_path, "write the header", rc);

  RemuxStats stats;
  mkv::PacketPtr pkt = mkv::MakePacket();
  std::vector<mkv::PacketPtr> video_out, video_ready;
  DtsFiller dts_filler;
  const AVRational video_in_tb = ic->streams[video_index]->time_base;
  auto write_video = [&](bool last = false) -> absl::Status {
    AVStream* ost = oc->streams[stream_map[video_index]];
    for (mkv::PacketPtr& p : video_out) dts_filler.Add(std::move(p), video_ready);
    video_out.clear();
    if (last) dts_filler.Flush(video_ready);
    for (mkv::PacketPtr& p : video_ready) {
      p->stream_index = ost->index;
      av_packet_rescale_ts(p.get(), video_in_tb, ost->time_base);
      int wrc = av_interleaved_write_frame(oc.get(), p.get());
      if (wrc < 0) return OutputError(req.output_path, "write a video packet", wrc);
      ++stats.output_video_packets;
    }
    video_ready.clear();
    return absl::OkStatus();
  };
  while (true) {
    if (req.cancel != nullptr && req.cancel->load()) {
      return absl::CancelledError(absl::StrCat("remux of ", req.source_path, " cancelled"));
    }
    absl::StatusOr<bool> got = (*reader)->ReadPacket(*pkt);
    if (!got.ok()) return got.status();
    if (!*got) break;
    const int in_index = pkt->stream_index;
    if (in_index < 0 || in_index >= static_cast<int>(stream_map.size()) ||
        stream_map[in_index] < 0) {
      continue;
    }
    if (in_index == video_index) {
      ++stats.source_video_packets;
      if (absl::Status s = req.video->Push(*pkt, video_out); !s.ok()) return s;
      if (absl::Status s = write_video(); !s.ok()) return s;
      if (req.on_progress) req.on_progress(stats.source_video_packets);
      continue;
    }
    AVStream* ost = oc->streams[stream_map[in_index]];
    av_packet_rescale_ts(pkt.get(), ic->streams[in_index]->time_base, ost->time_base);
    pkt->stream_index = ost->index;
    pkt->pos = -1;
    rc = av_interleaved_write_frame(oc.get(), pkt.get());
    if (rc < 0) return OutputError(req.output_path, "write a packet", rc);
    ++stats.other_packets;
  }
  if (absl::Status s = req.video->Finish(video_out); !s.ok()) return s;
  if (absl::Status s = write_video(/*last=*/true); !s.ok()) return s;
  rc = av_write_trailer(oc.get());
  if (rc < 0) return OutputError(req.output_path, "finish (write the index)", rc);
  if (absl::Status s = file->Close(); !s.ok()) return s;
  std::error_code ec;
  stats.output_bytes = static_cast<int64_t>(std::filesystem::file_size(req.output_path, ec));
  return stats;
}

}  // namespace

absl::Status CopyVideoInput::Push(AVPacket& source_packet, std::vector<mkv::PacketPtr>& out) {
  mkv::PacketPtr p = mkv::MakePacket();
  av_packet_move_ref(p.get(), &source_packet);
  out.push_back(std::move(p));
  return absl::OkStatus();
}

absl::StatusOr<RemuxStats> Remux(const RemuxRequest& req) {
  if (req.video == nullptr) return absl::InvalidArgumentError("Remux: no video input given");
  absl::StatusOr<RemuxStats> stats = RunRemux(req);
  if (!stats.ok()) {
    std::error_code ec;
    std::filesystem::remove(req.output_path, ec);
  }
  return stats;
}

}  // namespace mkvfleet::remux
