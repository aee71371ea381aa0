// The single-pass libavformat remux (see remuxer.h).
#include "common/libav/remuxer.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/libav/matroska_reader.h"
#include "common/libav/output_file.h"
#include "common/status/status_macros.h"

extern "C" {
#include <libavutil/dovi_meta.h>
}

namespace mkvfleet::libav {
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
      absl::StrCat(path, ": cannot ", what, " (", libav::AvErrorText(rc), ")"));
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

absl::Status AddDoviConfig(const dovi::DoviConfigRecord& r, AVStream& out) {
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
  int rc =
      av_stream_add_side_data(&out, AV_PKT_DATA_DOVI_CONF, reinterpret_cast<uint8_t*>(rec), size);
  if (rc < 0) {
    av_free(rec);
    return absl::InternalError(absl::StrCat("cannot attach DV record: ", libav::AvErrorText(rc)));
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
  void Add(libav::PacketPtr p, std::vector<libav::PacketPtr>& ready) {
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
  void Flush(std::vector<libav::PacketPtr>& ready) {
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
  std::vector<libav::PacketPtr> held_;
  bool seen_dts_ = false;
};

// Opens the source and lets libavformat learn the video's reorder depth, so packets get decode
// timestamps (Matroska stores only presentation times) and the muxer sees monotonic dts; also
// completes audio parameters. Reads (and keeps for us) the first packets only.
absl::StatusOr<std::unique_ptr<libav::MatroskaReader>> OpenAnalysedSource(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<libav::MatroskaReader> reader,
                   libav::MatroskaReader::Open(path));
  const int rc = avformat_find_stream_info(reader->format_context(), nullptr);
  if (rc < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot analyse the streams (", libav::AvErrorText(rc), ")"));
  }
  return reader;
}

// A Matroska muxer for `output_path` (not yet writing anywhere).
absl::StatusOr<OutputContextPtr> CreateMuxer(const std::string& output_path) {
  AVFormatContext* raw_out = nullptr;
  const int rc = avformat_alloc_output_context2(&raw_out, nullptr, "matroska", output_path.c_str());
  if (rc < 0 || raw_out == nullptr) return OutputError(output_path, "create muxer", rc);
  return OutputContextPtr(raw_out);
}

// Copies a source stream's tags, except the video's stale statistics.
void CopyStreamTags(const AVStream& ist, bool is_video, AVStream& ost) {
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(ist.metadata, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    if (is_video && IsStaleVideoTag(e->key)) continue;
    av_dict_set(&ost.metadata, e->key, e->value, 0);
  }
}

// Adds the output stream for source stream `ist` (codec parameters, timing, flags, tags, side
// data); for the video, the video input configures it and the requested DV record is attached.
// Returns its output index.
absl::StatusOr<int> AddOutputStream(const RemuxRequest& req, const AVStream& ist, bool is_video,
                                    AVFormatContext& oc) {
  AVStream* ost = avformat_new_stream(&oc, nullptr);
  if (ost == nullptr) return absl::ResourceExhaustedError("out of memory for a stream");
  const int rc = avcodec_parameters_copy(ost->codecpar, ist.codecpar);
  if (rc < 0) return OutputError(req.output_path, "copy codec parameters", rc);
  ost->codecpar->codec_tag = 0;
  ost->time_base = ist.time_base;
  ost->avg_frame_rate = ist.avg_frame_rate;
  ost->r_frame_rate = ist.r_frame_rate;
  ost->sample_aspect_ratio = ist.sample_aspect_ratio;
  ost->disposition = ist.disposition;
  CopyStreamTags(ist, is_video, *ost);
  RETURN_IF_ERROR(CopyStreamSideData(ist, *ost, is_video));
  if (is_video) {
    RETURN_IF_ERROR(req.video->Configure(*ist.codecpar, *ost->codecpar));
    if (req.video_dovi) RETURN_IF_ERROR(AddDoviConfig(*req.video_dovi, *ost));
  }
  return ost->index;
}

// One output stream per source stream; returns the output index of each source stream.
// FailedPrecondition for a second video track (cover art aside).
absl::StatusOr<std::vector<int>> AddOutputStreams(const RemuxRequest& req,
                                                  const AVFormatContext& ic, int video_index,
                                                  AVFormatContext& oc) {
  std::vector<int> stream_map(ic.nb_streams, -1);
  for (unsigned i = 0; i < ic.nb_streams; ++i) {
    const AVStream* ist = ic.streams[i];
    const bool is_video = static_cast<int>(i) == video_index;
    if (!is_video && ist->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        (ist->disposition & AV_DISPOSITION_ATTACHED_PIC) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          req.source_path, ": more than one video track (stream ", i, "); not supported"));
    }
    ASSIGN_OR_RETURN(stream_map[i], AddOutputStream(req, *ist, is_video, oc));
  }
  return stream_map;
}

// Copies the file's global tags except "encoder", which the muxer writes itself.
void CopyGlobalTags(const AVFormatContext& ic, AVFormatContext& oc) {
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(ic.metadata, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    if (absl::EqualsIgnoreCase(e->key, "encoder")) continue;
    av_dict_set(&oc.metadata, e->key, e->value, 0);
  }
}

// Points the muxer at `file` and writes the header.
absl::Status WriteHeader(const std::string& output_path, OutputFile& file, AVFormatContext& oc) {
  oc.pb = file.avio();
  oc.flags |= AVFMT_FLAG_CUSTOM_IO;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "default_mode", "passthrough", 0);  // keep the source's default flags
  const int rc = avformat_write_header(&oc, &opts);
  av_dict_free(&opts);
  if (rc < 0) return OutputError(output_path, "write the header", rc);
  return absl::OkStatus();
}

// Carries the source's video packets through the video input to the output video stream, decode
// timestamps filled in, and counts them.
class VideoTrackWriter {
 public:
  VideoTrackWriter(const RemuxRequest& req, const AVStream& in, AVFormatContext& oc, AVStream& out,
                   RemuxStats& stats)
      : req_(req), in_time_base_(in.time_base), oc_(oc), out_(out), stats_(stats) {}

  // Gives one source video packet to the video input and writes what it returns.
  absl::Status Push(AVPacket& pkt) {
    ++stats_.source_video_packets;
    RETURN_IF_ERROR(req_.video->Push(pkt, video_out_));
    RETURN_IF_ERROR(WritePending(/*last=*/false));
    if (req_.on_progress) req_.on_progress(stats_.source_video_packets);
    return absl::OkStatus();
  }

  // After the last source packet: writes whatever the video input and the filler still hold.
  absl::Status Finish() {
    RETURN_IF_ERROR(req_.video->Finish(video_out_));
    return WritePending(/*last=*/true);
  }

 private:
  absl::Status WritePending(bool last) {
    for (libav::PacketPtr& p : video_out_) dts_filler_.Add(std::move(p), video_ready_);
    video_out_.clear();
    if (last) dts_filler_.Flush(video_ready_);
    for (libav::PacketPtr& p : video_ready_) {
      p->stream_index = out_.index;
      av_packet_rescale_ts(p.get(), in_time_base_, out_.time_base);
      int wrc = av_interleaved_write_frame(&oc_, p.get());
      if (wrc < 0) return OutputError(req_.output_path, "write a video packet", wrc);
      ++stats_.output_video_packets;
    }
    video_ready_.clear();
    return absl::OkStatus();
  }

  const RemuxRequest& req_;
  const AVRational in_time_base_;
  AVFormatContext& oc_;
  AVStream& out_;
  RemuxStats& stats_;
  std::vector<libav::PacketPtr> video_out_, video_ready_;
  DtsFiller dts_filler_;
};

// Reads the source to its end: video packets go to `video`, every other mapped packet is copied
// to its output stream with its timestamps rescaled. Stops with Cancelled when asked to.
absl::Status CopyPackets(const RemuxRequest& req, libav::MatroskaReader& reader,
                         const std::vector<int>& stream_map, AVFormatContext& oc,
                         VideoTrackWriter& video, RemuxStats& stats) {
  const AVFormatContext* ic = reader.format_context();
  const int video_index = reader.video().stream_index;
  libav::PacketPtr pkt = libav::MakePacket();
  while (true) {
    if (req.cancel != nullptr && req.cancel->load()) {
      return absl::CancelledError(absl::StrCat("remux of ", req.source_path, " cancelled"));
    }
    ASSIGN_OR_RETURN(bool got, reader.ReadPacket(*pkt));
    if (!got) return absl::OkStatus();
    const int in_index = pkt->stream_index;
    if (in_index < 0 || in_index >= static_cast<int>(stream_map.size()) ||
        stream_map[in_index] < 0) {
      continue;
    }
    if (in_index == video_index) {
      RETURN_IF_ERROR(video.Push(*pkt));
      continue;
    }
    AVStream* ost = oc.streams[stream_map[in_index]];
    av_packet_rescale_ts(pkt.get(), ic->streams[in_index]->time_base, ost->time_base);
    pkt->stream_index = ost->index;
    pkt->pos = -1;
    const int rc = av_interleaved_write_frame(&oc, pkt.get());
    if (rc < 0) return OutputError(req.output_path, "write a packet", rc);
    ++stats.other_packets;
  }
}

// Writes the index and closes the file; returns the finished file's size.
absl::StatusOr<int64_t> FinishOutput(const std::string& output_path, AVFormatContext& oc,
                                     OutputFile& file) {
  const int rc = av_write_trailer(&oc);
  if (rc < 0) return OutputError(output_path, "finish (write the index)", rc);
  RETURN_IF_ERROR(file.Close());
  std::error_code ec;
  return static_cast<int64_t>(std::filesystem::file_size(output_path, ec));
}

// The pass itself; the caller removes the output on error.
absl::StatusOr<RemuxStats> RunRemux(const RemuxRequest& req) {
  ASSIGN_OR_RETURN(std::unique_ptr<libav::MatroskaReader> reader,
                   OpenAnalysedSource(req.source_path));
  AVFormatContext* ic = reader->format_context();
  const int video_index = reader->video().stream_index;

  std::unique_ptr<OutputFile> file;  // outlives the muxer, which writes through it
  ASSIGN_OR_RETURN(OutputContextPtr oc, CreateMuxer(req.output_path));
  ASSIGN_OR_RETURN(std::vector<int> stream_map, AddOutputStreams(req, *ic, video_index, *oc));
  CopyGlobalTags(*ic, *oc);
  RETURN_IF_ERROR(CopyChapters(*ic, *oc));
  ASSIGN_OR_RETURN(file, OutputFile::Create(req.output_path));
  RETURN_IF_ERROR(WriteHeader(req.output_path, *file, *oc));

  RemuxStats stats;
  VideoTrackWriter video(req, *ic->streams[video_index], *oc, *oc->streams[stream_map[video_index]],
                         stats);
  RETURN_IF_ERROR(CopyPackets(req, *reader, stream_map, *oc, video, stats));
  RETURN_IF_ERROR(video.Finish());
  ASSIGN_OR_RETURN(stats.output_bytes, FinishOutput(req.output_path, *oc, *file));
  return stats;
}

}  // namespace

absl::Status CopyVideoInput::Push(AVPacket& source_packet, std::vector<libav::PacketPtr>& out) {
  libav::PacketPtr p = libav::MakePacket();
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

}  // namespace mkvfleet::libav
