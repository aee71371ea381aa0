// Rewriting one Cluster (see cluster_edit.h).
#include "common/matroska/cluster_edit.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/matroska/crc32.h"
#include "common/matroska/ebml.h"
#include "common/matroska/ebml_children.h"
#include "common/status/status_macros.h"

namespace mkvfleet::matroska {
namespace {

// Length of the block header (track number vint, 16-bit timecode, flags), and the track.
absl::Status ParseBlockHeader(absl::Span<const uint8_t> block, size_t& header_len, uint64_t& track,
                              uint8_t& flags) {
  if (block.empty()) return absl::DataLossError("empty block");
  int len = 1;
  while (len <= 8 && !(block[0] & (0x80 >> (len - 1)))) ++len;
  if (len > 8) return absl::DataLossError("block with an invalid track number");
  if (block.size() < static_cast<size_t>(len) + 3) {
    return absl::DataLossError("block shorter than its header");
  }
  track = block[0] & (0xFF >> len);
  for (int i = 1; i < len; ++i) track = (track << 8) | block[i];
  flags = block[len + 2];
  header_len = static_cast<size_t>(len) + 3;
  return absl::OkStatus();
}

}  // namespace

void ClusterEditor::AddSource(absl::Span<const uint8_t> bytes) {
  parts_.push_back(Piece{bytes.data(), 0, bytes.size()});
}

void ClusterEditor::AddUnsigned(const Child& stored, uint64_t value) {
  const size_t at = arena_.size();
  const int width = std::max<int>(UnsignedWidth(value),
                                  static_cast<int>(std::min<size_t>(stored.data.size(), 8)));
  AppendId(arena_, stored.header.id);
  AppendSize(arena_, width, SizeWidth(stored.header));
  AppendUnsignedBytes(arena_, value, width);
  AddArena(at);
}

absl::Span<const uint8_t> ClusterEditor::PieceBytes(const Piece& p) const {
  return p.source != nullptr ? absl::Span<const uint8_t>(p.source, p.size)
                             : absl::Span<const uint8_t>(arena_.data() + p.offset, p.size);
}

void ClusterEditor::AddArena(size_t from) {
  parts_.push_back(Piece{nullptr, from, arena_.size() - from});
}

absl::Status ClusterEditor::EditBlock(absl::Span<const uint8_t> block, uint32_t id, int size_width,
                                      bool& is_video) {
  size_t header_len = 0;
  uint64_t track = 0;
  uint8_t flags = 0;
  RETURN_IF_ERROR(ParseBlockHeader(block, header_len, track, flags));
  is_video = track == video_track_;
  if (!is_video) return absl::OkStatus();  // the caller keeps it as stored
  if ((flags & 0x06) != 0) {
    return absl::FailedPreconditionError("laced video frames are not rewritten");
  }
  const size_t frame_at = arena_.size();
  RETURN_IF_ERROR(frame_fn_(block.subspan(header_len), arena_));
  const size_t frame_size = arena_.size() - frame_at;
  const size_t head_at = arena_.size();
  AppendId(arena_, id);
  AppendSize(arena_, header_len + frame_size, FitWidth(header_len + frame_size, size_width));
  AddArena(head_at);
  AddSource(block.subspan(0, header_len));
  parts_.push_back(Piece{nullptr, frame_at, frame_size});
  ++video_frames_;
  video_bytes_ += frame_size;
  return absl::OkStatus();
}

absl::Status ClusterEditor::EditBlockGroup(absl::Span<const uint8_t> group, int size_width) {
  absl::StatusOr<std::vector<Child>> kids = ParseChildren(group, "BlockGroup");
  if (!kids.ok()) return absl::DataLossError(kids.status().message());
  const size_t first_part = parts_.size();
  uint64_t size = 0;
  bool video = false;
  for (const Child& c : *kids) {
    if (c.header.id == kIdCrc32) {
      return absl::FailedPreconditionError("a BlockGroup with a CRC-32 is not rewritten");
    }
    if (c.header.id != kIdBlock) {
      AddSource(c.whole);
      size += c.whole.size();
      continue;
    }
    const size_t parts_before = parts_.size();
    bool is_video = false;
    RETURN_IF_ERROR(EditBlock(c.data, kIdBlock, SizeWidth(c.header), is_video));
    video = video || is_video;
    for (size_t i = parts_before; i < parts_.size(); ++i) size += parts_[i].size;
  }
  if (!video) {  // nothing changed: the group as stored
    parts_.resize(first_part);
    ++other_blocks_;
    return absl::OkStatus();
  }
  std::vector<uint8_t> head;
  AppendId(head, kIdBlockGroup);
  AppendSize(head, size, FitWidth(size, size_width));
  const size_t head_at = arena_.size();
  arena_.insert(arena_.end(), head.begin(), head.end());
  parts_.insert(parts_.begin() + static_cast<std::ptrdiff_t>(first_part),
                Piece{nullptr, head_at, head.size()});
  return absl::OkStatus();
}

absl::Status ClusterEditor::Edit(absl::Span<const uint8_t> data, int size_width,
                                 uint64_t new_position, uint64_t prev_size) {
  parts_.clear();
  arena_.clear();
  blocks_.clear();
  absl::StatusOr<std::vector<Child>> kids = ParseChildren(data, "Cluster");
  if (!kids.ok()) return absl::DataLossError(kids.status().message());
  uint64_t new_offset = 0;  // in the new data
  for (const Child& c : *kids) {
    const size_t parts_before = parts_.size();
    switch (c.header.id) {
      case kIdCrc32: {  // restated over the new data below
        if (&c != &kids->front() || c.data.size() != 4) {
          return absl::FailedPreconditionError(
              "a CRC-32 that is not the cluster's first child, or not of 4 bytes");
        }
        const size_t at = arena_.size();
        AppendCrc32Element(arena_, 0, SizeWidth(c.header));
        AddArena(at);
        break;
      }
      case kIdPosition:
        AddUnsigned(c, new_position);
        break;
      case kIdPrevSize: {
        if (prev_size == 0) {
          AddSource(c.whole);
          break;
        }
        AddUnsigned(c, prev_size);
        break;
      }
      case kIdSimpleBlock: {
        blocks_.emplace_back(c.offset, new_offset);
        bool is_video = false;
        const size_t before = parts_.size();
        if (absl::Status s = EditBlock(c.data, kIdSimpleBlock, SizeWidth(c.header), is_video);
            !s.ok()) {
          return absl::Status(s.code(), absl::StrCat("SimpleBlock at byte ", c.offset,
                                                     " of the cluster: ", s.message()));
        }
        if (!is_video) {  // as stored
          parts_.resize(before);
          AddSource(c.whole);
          ++other_blocks_;
        }
        break;
      }
      case kIdBlockGroup:
        blocks_.emplace_back(c.offset, new_offset);
        if (absl::Status s = EditBlockGroup(c.data, SizeWidth(c.header)); !s.ok()) {
          return absl::Status(s.code(), absl::StrCat("BlockGroup at byte ", c.offset,
                                                     " of the cluster: ", s.message()));
        }
        if (parts_.size() == parts_before) AddSource(c.whole);
        break;
      default:
        AddSource(c.whole);
    }
    for (size_t i = parts_before; i < parts_.size(); ++i) new_offset += parts_[i].size;
  }
  if (!kids->empty() && kids->front().header.id == kIdCrc32) {
    uint32_t crc = 0;
    for (size_t i = 1; i < parts_.size(); ++i) crc = Crc32(PieceBytes(parts_[i]), crc);
    StoreCrc32(arena_.data() + parts_[0].offset + parts_[0].size, crc);
  }
  header_.clear();
  AppendId(header_, kIdCluster);
  AppendSize(header_, new_offset, FitWidth(new_offset, size_width));
  new_size_ = header_.size() + new_offset;
  pieces_.clear();
  pieces_.reserve(parts_.size() + 1);
  pieces_.push_back(header_);
  for (const Piece& p : parts_) pieces_.push_back(PieceBytes(p));
  return absl::OkStatus();
}

}  // namespace mkvfleet::matroska
