// The element-level Matroska rewrite (see matroska_rewriter.h).
#include "common/matroska/matroska_rewriter.h"

#include <sys/uio.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/libav/output_file.h"
#include "common/matroska/cluster_edit.h"
#include "common/matroska/crc32.h"
#include "common/matroska/ebml.h"
#include "common/matroska/ebml_children.h"
#include "common/matroska/positions_edit.h"
#include "common/matroska/rewrite_source.h"
#include "common/matroska/tags_edit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::matroska {
namespace {

constexpr size_t kCopyChunk = 8 << 20;  // level-1 elements copied as stored, this much at a time
// Elements read whole into memory: a Cluster, and the Tracks/SeekHead/Cues/Tags being edited.
// Real ones are a few MB; a size beyond these (a damaged file) is left to libav, not allocated.
constexpr uint64_t kMaxClusterBytes = uint64_t{1} << 30;
constexpr uint64_t kMaxEditedBytes = uint64_t{256} << 20;

absl::Status Unhandled(const std::string& path, absl::string_view why) {
  return absl::UnimplementedError(absl::StrCat(path, ": ", why));
}

// Layout problems found by the pure edits become "not handled here" (the libav remux may cope).
absl::Status AsUnhandled(const std::string& path, const absl::Status& s) {
  return absl::UnimplementedError(absl::StrCat(path, ": ", s.message()));
}

absl::Status Write(libav::OutputFile& out, absl::Span<const absl::Span<const uint8_t>> pieces) {
  std::vector<struct iovec> iov;
  iov.reserve(pieces.size());
  for (absl::Span<const uint8_t> p : pieces) {
    if (p.empty()) continue;
    iov.push_back({const_cast<uint8_t*>(p.data()), p.size()});
  }
  return out.Append(iov);
}

// An element from its ID and data; `size_width`: the source's, kept where the size fits. With
// `crc_size_width` > 0, the data starts with a CRC-32 element over the rest, its size field that
// wide, as the source's was.
absl::Status WriteElement(libav::OutputFile& out, uint32_t id, absl::Span<const uint8_t> data,
                          int size_width, int crc_size_width = 0) {
  std::vector<uint8_t> crc_element;
  if (crc_size_width > 0) {
    matroska::AppendCrc32Element(crc_element, matroska::Crc32(data), crc_size_width);
  }
  const uint64_t size = crc_element.size() + data.size();
  std::vector<uint8_t> head;
  matroska::AppendId(head, id);
  matroska::AppendSize(head, size, matroska::FitWidth(size, size_width));
  const absl::Span<const uint8_t> pieces[] = {head, crc_element, data};
  return Write(out, pieces);
}

// A level-1 element's data, split into a leading CRC-32 (ffmpeg writes one in every level-1
// element) and what the edits see.
struct Body {
  absl::Span<const uint8_t> data;
  int crc_size_width = 0;  // of the CRC-32 element's size field; 0: no CRC-32
};
Body SplitBody(absl::Span<const uint8_t> data) {
  Body b{data, 0};
  if (matroska::SplitLeadingCrc32(data, b.data)) {
    // The element is a 1-byte ID, the size field and 4 value bytes.
    b.crc_size_width = static_cast<int>(data.size() - b.data.size()) - 5;
  }
  return b;
}

// The whole rewrite; the caller removes the output on error.
class Rewrite {
 public:
  explicit Rewrite(const RewriteRequest& req) : req_(req) {}

  absl::StatusOr<libav::RemuxStats> Run() {
    RETURN_IF_ERROR(source_.Open(req_.source_path));
    const std::string& path = source_.path();
    // EBML header, copied as stored after checking its limits.
    absl::StatusOr<ElementHeader> ebml = source_.HeaderAt(0);
    if (!ebml.ok() || ebml->id != matroska::kIdEbml || ebml->unknown_size ||
        ebml->data_size > 4096) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": not a Matroska file"));
    }
    const uint64_t ebml_end = ebml->header_size + ebml->data_size;
    RETURN_IF_ERROR(source_.ReadAt(0, ebml_end, buf_));
    absl::StatusOr<std::vector<matroska::Child>> fields = matroska::ParseChildren(
        absl::Span<const uint8_t>(buf_).subspan(ebml->header_size), "EBML header");
    if (!fields.ok()) return AsUnhandled(path, fields.status());
    absl::StatusOr<uint64_t> max_id = ChildUnsigned(*fields, matroska::kIdEbmlMaxIdLength, 4);
    absl::StatusOr<uint64_t> max_size = ChildUnsigned(*fields, matroska::kIdEbmlMaxSizeLength, 8);
    if (!max_id.ok() || !max_size.ok() || *max_id > 4 || *max_size > 8) {
      return Unhandled(path, "EBML header allows IDs over 4 or sizes over 8 bytes");
    }
    ASSIGN_OR_RETURN(out_, libav::OutputFile::Create(req_.output_path));
    const absl::Span<const uint8_t> ebml_bytes[] = {buf_};
    RETURN_IF_ERROR(Write(*out_, ebml_bytes));

    ASSIGN_OR_RETURN(const ElementHeader seg, source_.HeaderAt(ebml_end));
    if (seg.id != matroska::kIdSegment) return Unhandled(path, "no Segment after the EBML header");
    old_data_ = ebml_end + seg.header_size;
    const uint64_t old_end = seg.unknown_size ? source_.size() : old_data_ + seg.data_size;
    if (old_end > source_.size()) {
      return absl::DataLossError(absl::StrCat(path, ": the Segment needs ", old_end,
                                              " bytes, the file has ", source_.size(),
                                              " (truncated)"));
    }
    if (old_end < source_.size()) return Unhandled(path, "data after the Segment");
    // Segment ID and an 8-byte size, patched at the end.
    std::vector<uint8_t> seg_head;
    matroska::AppendId(seg_head, matroska::kIdSegment);
    seg_size_at_ = out_->size() + seg_head.size();
    matroska::AppendSize(seg_head, 0, 8);
    const absl::Span<const uint8_t> seg_pieces[] = {seg_head};
    RETURN_IF_ERROR(Write(*out_, seg_pieces));
    new_data_ = out_->size();

    for (uint64_t pos = old_data_; pos < old_end;) {
      if (req_.cancel != nullptr && req_.cancel->load()) {
        return absl::CancelledError(absl::StrCat("rewrite of ", path, " cancelled"));
      }
      ASSIGN_OR_RETURN(const ElementHeader h, source_.HeaderAt(pos));
      if (h.unknown_size) return Unhandled(path, absl::StrCat("element of unknown size at ", pos));
      const uint64_t end = pos + h.header_size + h.data_size;
      if (end > old_end) {
        return absl::DataLossError(absl::StrCat(path, ": element at byte ", pos, " needs ",
                                                end - pos, " bytes, the file ends at ", old_end,
                                                " (truncated)"));
      }
      const bool edited = h.id == matroska::kIdTracks || h.id == matroska::kIdSeekHead ||
                          h.id == matroska::kIdCues || h.id == matroska::kIdTags;
      if (h.data_size > (h.id == matroska::kIdCluster ? kMaxClusterBytes
                         : edited                     ? kMaxEditedBytes
                                                      : UINT64_MAX)) {
        return Unhandled(path, absl::StrCat("element 0x", absl::Hex(h.id), " at ", pos, " of ",
                                            h.data_size, " bytes"));
      }
      RETURN_IF_ERROR(Element(pos, h));
      pos = end;
    }
    return Finish();
  }

 private:
  uint64_t NewPos() const { return out_->size() - new_data_; }

  absl::Status Element(uint64_t pos, const ElementHeader& h) {
    const std::string& path = source_.path();
    const uint64_t old_rel = pos - old_data_;
    const uint64_t data_at = pos + h.header_size;
    switch (h.id) {
      case matroska::kIdCluster:
        return Cluster(pos, h);
      case matroska::kIdTracks: {
        if (frames_started_) return Unhandled(path, "a second Tracks element");
        map_.AddElement(old_rel, NewPos());
        RETURN_IF_ERROR(source_.ReadAt(data_at, h.data_size, buf_));
        return Tracks(h);
      }
      case matroska::kIdSeekHead: {  // copied now, its positions patched at the end
        map_.AddElement(old_rel, NewPos());
        RETURN_IF_ERROR(source_.ReadAt(pos, h.header_size + h.data_size, buf_));
        const Body body = SplitBody(absl::Span<const uint8_t>(buf_).subspan(h.header_size));
        seekheads_.push_back({out_->size() + buf_.size() - body.data.size(),
                              std::vector<uint8_t>(body.data.begin(), body.data.end()),
                              body.crc_size_width > 0});
        const absl::Span<const uint8_t> pieces[] = {buf_};
        return Write(*out_, pieces);
      }
      case matroska::kIdCues:
      case matroska::kIdTags: {
        const bool cues = h.id == matroska::kIdCues;
        if (cues && !seen_cluster_) return Unhandled(path, "Cues before the clusters");
        RETURN_IF_ERROR(source_.ReadAt(data_at, h.data_size, buf_));
        const Body body = SplitBody(buf_);
        if (!seen_cluster_) {
          // Tags up front: fine unless they state the video track's byte count.
          absl::StatusOr<std::vector<uint8_t>> probe =
              matroska::UpdateTrackStatistics(body.data, video_.uid, 0);
          if (!probe.ok()) return AsUnhandled(path, probe.status());
          if (absl::Span<const uint8_t>(*probe) != body.data) {
            return Unhandled(path, "video statistics tags before the clusters");
          }
          map_.AddElement(old_rel, NewPos());
          return WriteElement(*out_, h.id, buf_, matroska::SizeWidth(h));  // as stored
        }
        map_.AddElement(old_rel, NewPos());
        absl::StatusOr<std::vector<uint8_t>> edited =
            cues ? matroska::RewriteCues(body.data, map_)
                 : matroska::UpdateTrackStatistics(body.data, video_.uid, editor_->video_bytes());
        if (!edited.ok()) return AsUnhandled(path, edited.status());
        return WriteElement(*out_, h.id, *edited, matroska::SizeWidth(h), body.crc_size_width);
      }
      case matroska::kIdCrc32:
        return Unhandled(path, "a CRC-32 element in the Segment");
      default:  // Info, Chapters, Attachments, Void, ...: as stored
        map_.AddElement(old_rel, NewPos());
        for (uint64_t at = pos, end = data_at + h.data_size; at < end;) {
          const size_t n = static_cast<size_t>(std::min<uint64_t>(kCopyChunk, end - at));
          RETURN_IF_ERROR(source_.ReadAt(at, n, buf_));
          const absl::Span<const uint8_t> pieces[] = {buf_};
          RETURN_IF_ERROR(Write(*out_, pieces));
          at += n;
        }
        return absl::OkStatus();
    }
  }

  absl::Status Tracks(const ElementHeader& h) {
    const std::string& path = source_.path();
    const Body body = SplitBody(buf_);
    absl::StatusOr<matroska::VideoTrackEntry> video = matroska::FindVideoTrack(body.data);
    if (!video.ok()) return AsUnhandled(path, video.status());
    if (video->has_content_encodings) return Unhandled(path, "compressed or encrypted video");
    video_ = *video;
    RETURN_IF_ERROR(req_.frames->Start(video_));
    editor_.emplace(video_.number,
                    [this](absl::Span<const uint8_t> frame, std::vector<uint8_t>& out) {
                      return req_.frames->Rewrite(frame, out);
                    });
    frames_started_ = true;
    std::vector<uint8_t> data(body.data.begin(), body.data.end());
    if (!req_.dovi_record.empty()) {
      absl::StatusOr<std::vector<uint8_t>> edited =
          matroska::ReplaceDoviRecord(body.data, video_.number, req_.dovi_record, req_.dovi_fourcc);
      if (!edited.ok()) return AsUnhandled(path, edited.status());
      data = *std::move(edited);
    }
    return WriteElement(*out_, h.id, data, matroska::SizeWidth(h), body.crc_size_width);
  }

  absl::Status Cluster(uint64_t pos, const ElementHeader& h) {
    const std::string& path = source_.path();
    if (!editor_) return Unhandled(path, "a Cluster before the Tracks");
    seen_cluster_ = true;
    RETURN_IF_ERROR(source_.ReadAt(pos + h.header_size, h.data_size, cluster_));
    const uint64_t new_pos = NewPos();
    if (absl::Status s =
            editor_->Edit(cluster_, matroska::SizeWidth(h), new_pos, prev_cluster_size_);
        !s.ok()) {
      const std::string what = absl::StrCat("cluster at byte ", pos, ": ", s.message());
      // What the editor does not handle, or cannot parse, may still be fine for libav.
      if (s.code() == absl::StatusCode::kFailedPrecondition ||
          s.code() == absl::StatusCode::kDataLoss) {
        return Unhandled(path, what);
      }
      return absl::Status(s.code(), absl::StrCat(path, ": ", what));  // the frame rewriter's
    }
    const uint64_t old_rel = pos - old_data_;
    map_.AddCluster(old_rel, new_pos, old_rel + h.header_size,
                    new_pos + editor_->new_header_size());
    for (const auto& [old_off, new_off] : editor_->blocks()) {
      map_.AddBlock(old_rel + h.header_size + old_off,
                    new_pos + editor_->new_header_size() + new_off);
    }
    prev_cluster_size_ = editor_->new_size();
    RETURN_IF_ERROR(Write(*out_, editor_->pieces()));
    if (req_.on_progress) req_.on_progress(editor_->video_frames());
    return absl::OkStatus();
  }

  absl::StatusOr<libav::RemuxStats> Finish() {
    const std::string& path = source_.path();
    if (!editor_) return Unhandled(path, "no Tracks element");
    std::vector<uint8_t> seg_size;
    matroska::AppendSize(seg_size, out_->size() - new_data_, 8);
    RETURN_IF_ERROR(out_->PatchAt(seg_size_at_, seg_size));
    for (StoredSeekHead& sh : seekheads_) {
      if (absl::Status s = matroska::PatchSeekHead(absl::MakeSpan(sh.data), map_); !s.ok()) {
        return AsUnhandled(path, s);
      }
      RETURN_IF_ERROR(out_->PatchAt(sh.data_at, sh.data));
      if (sh.crc) {  // its 4 value bytes end where the data starts
        uint8_t value[4];
        matroska::StoreCrc32(value + 4, matroska::Crc32(sh.data));
        RETURN_IF_ERROR(out_->PatchAt(sh.data_at - 4, value));
      }
    }
    libav::RemuxStats stats;
    stats.source_video_packets = editor_->video_frames();
    stats.output_video_packets = editor_->video_frames();
    stats.other_packets = editor_->other_blocks();
    stats.output_bytes = out_->size();
    RETURN_IF_ERROR(out_->Close());
    return stats;
  }

  const RewriteRequest& req_;
  RewriteSource source_;
  std::unique_ptr<libav::OutputFile> out_;
  std::vector<uint8_t> buf_;      // level-1 elements other than clusters
  std::vector<uint8_t> cluster_;  // the cluster being rewritten
  uint64_t old_data_ = 0;         // file offset of the source Segment's data
  uint64_t new_data_ = 0;         // file offset of the output Segment's data
  uint64_t seg_size_at_ = 0;      // file offset of the output Segment's size field
  matroska::VideoTrackEntry video_;
  std::optional<matroska::ClusterEditor> editor_;
  bool frames_started_ = false;
  bool seen_cluster_ = false;
  uint64_t prev_cluster_size_ = 0;
  matroska::LayoutMap map_;
  // A SeekHead as written: its data after any leading CRC-32, where that starts in the output,
  // and whether the CRC-32 is there.
  struct StoredSeekHead {
    uint64_t data_at = 0;
    std::vector<uint8_t> data;
    bool crc = false;
  };
  std::vector<StoredSeekHead> seekheads_;
};

}  // namespace

absl::StatusOr<libav::RemuxStats> RewriteMatroska(const RewriteRequest& req) {
  if (req.frames == nullptr) return absl::InvalidArgumentError("RewriteMatroska: no frames");
  absl::StatusOr<libav::RemuxStats> stats = Rewrite(req).Run();
  if (!stats.ok()) {
    std::error_code ec;
    std::filesystem::remove(req.output_path, ec);
  }
  return stats;
}

}  // namespace mkvfleet::matroska
