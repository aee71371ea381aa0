// When a rewrite changes the size of Clusters, every stored position after them moves: the
// SeekHead's pointers to level-1 elements, and the Cues' cluster and block positions. The
// rewrite records where each element went (LayoutMap) and these functions carry the old
// positions over.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::matroska {

// Old -> new positions, relative to the start of the Segment's data as Matroska stores them.
// Entries are added in increasing old position (the order a rewrite writes them).
class LayoutMap {
 public:
  // A level-1 element (Cluster, Cues, Tags, ...).
  void AddElement(uint64_t old_pos, uint64_t new_pos) { elements_.emplace_back(old_pos, new_pos); }
  // A Cluster: also where its data starts (for Cues' relative positions).
  void AddCluster(uint64_t old_pos, uint64_t new_pos, uint64_t old_data, uint64_t new_data);
  // A SimpleBlock or BlockGroup inside a Cluster.
  void AddBlock(uint64_t old_pos, uint64_t new_pos) { blocks_.emplace_back(old_pos, new_pos); }

  std::optional<uint64_t> NewElementPosition(uint64_t old_pos) const;
  std::optional<uint64_t> NewBlockPosition(uint64_t old_pos) const;
  // {old data start, new data start} of the cluster at `old_pos`.
  std::optional<std::pair<uint64_t, uint64_t>> ClusterData(uint64_t old_pos) const;

 private:
  using Pairs = std::vector<std::pair<uint64_t, uint64_t>>;
  static std::optional<uint64_t> Find(const Pairs& pairs, uint64_t old_pos);
  Pairs elements_;
  Pairs blocks_;
  std::vector<std::pair<uint64_t, std::pair<uint64_t, uint64_t>>> cluster_data_;
};

// New Cues data: each CueClusterPosition and CueRelativePosition carried over, everything else
// kept; integers written in their shortest form. Errors: InvalidArgument for malformed data;
// FailedPrecondition for a position that names no cluster or block of the rewrite, a
// CueReference or a CueCodecState pointing into the file (not carried over).
absl::StatusOr<std::vector<uint8_t>> RewriteCues(absl::Span<const uint8_t> cues_data,
                                                 const LayoutMap& map);

// Rewrites the SeekPosition values of a SeekHead's data in place (same bytes, same widths), so
// the element keeps its size. Errors: InvalidArgument for malformed data; FailedPrecondition for
// a position that names no element of the rewrite, or a new position too wide for its field.
absl::Status PatchSeekHead(absl::Span<uint8_t> seekhead_data, const LayoutMap& map);

}  // namespace mkvfleet::matroska
