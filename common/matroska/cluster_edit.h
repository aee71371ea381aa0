// One Cluster of a lossless rewrite: every child copied as it is stored except the video track's
// frames (replaced by what a FrameFn makes of them), the Position / PrevSize values, which
// follow the cluster to its new place, and a leading CRC-32, restated over the new data. Pure:
// the caller reads the cluster and writes the pieces.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/matroska/ebml_children.h"

namespace mkvfleet::matroska {

// Appends the new form of one video frame to `out`. Errors abort the rewrite.
using FrameFn = std::function<absl::Status(absl::Span<const uint8_t> frame,
                                           std::vector<uint8_t>& out)>;

class ClusterEditor {
 public:
  ClusterEditor(uint64_t video_track, FrameFn frame_fn)
      : video_track_(video_track), frame_fn_(std::move(frame_fn)) {}

  // Rewrites the data of one Cluster. Size fields keep the source's widths where the new sizes
  // fit (`size_width`: the cluster's own), so an unchanged cluster is rewritten byte for byte.
  // `new_position`: where the cluster will start (relative to the Segment's data), for a
  // Position child; `prev_size`: the size of the cluster written before it, for a PrevSize child
  // (left as stored when 0). Errors: FailedPrecondition for what is not rewritten here (a CRC-32
  // other than the cluster's first child or in a BlockGroup, laced video frames), DataLoss for
  // malformed cluster or block structure, and those of the FrameFn as they are. After success,
  // pieces() are valid until the next Edit().
  absl::Status Edit(absl::Span<const uint8_t> data, int size_width, uint64_t new_position,
                    uint64_t prev_size);

  // The new cluster, header included, as spans into `data` and into this editor.
  const std::vector<absl::Span<const uint8_t>>& pieces() const { return pieces_; }
  uint64_t new_size() const { return new_size_; }          // header + data
  uint64_t new_header_size() const { return header_.size(); }
  // {offset in the old data, offset in the new data} of each SimpleBlock / BlockGroup.
  const std::vector<std::pair<uint64_t, uint64_t>>& blocks() const { return blocks_; }

  // Totals over every Edit().
  int64_t video_frames() const { return video_frames_; }
  int64_t other_blocks() const { return other_blocks_; }
  uint64_t video_bytes() const { return video_bytes_; }  // new frame bytes

 private:
  // A piece is either a span of the source data or a range of arena_.
  struct Piece {
    const uint8_t* source = nullptr;  // null: arena_[offset, offset + size)
    size_t offset = 0;
    size_t size = 0;
  };
  void AddSource(absl::Span<const uint8_t> bytes);
  void AddArena(size_t from);  // arena_[from, end)
  absl::Span<const uint8_t> PieceBytes(const Piece& p) const;
  // `stored` (an unsigned element) with `value`, in the stored widths where it fits.
  void AddUnsigned(const Child& stored, uint64_t value);
  // A block's data (track, timecode, flags, frame): header kept, frame rewritten into the arena;
  // other tracks' blocks add nothing (the caller keeps them as stored). `is_video` says which.
  absl::Status EditBlock(absl::Span<const uint8_t> block, uint32_t id, int size_width,
                         bool& is_video);
  absl::Status EditBlockGroup(absl::Span<const uint8_t> group, int size_width);

  uint64_t video_track_;
  FrameFn frame_fn_;
  std::vector<Piece> parts_;
  std::vector<uint8_t> arena_;
  std::vector<uint8_t> header_;
  std::vector<absl::Span<const uint8_t>> pieces_;
  std::vector<std::pair<uint64_t, uint64_t>> blocks_;
  uint64_t new_size_ = 0;
  int64_t video_frames_ = 0;
  int64_t other_blocks_ = 0;
  uint64_t video_bytes_ = 0;
};

}  // namespace mkvfleet::matroska
