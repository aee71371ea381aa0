// Carrying stored positions over a rewrite (see positions_edit.h).
#include "common/matroska/positions_edit.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/matroska/ebml.h"
#include "common/matroska/ebml_children.h"
#include "common/status/status_macros.h"

namespace mkvfleet::matroska {

void LayoutMap::AddCluster(uint64_t old_pos, uint64_t new_pos, uint64_t old_data,
                           uint64_t new_data) {
  AddElement(old_pos, new_pos);
  cluster_data_.push_back({old_pos, {old_data, new_data}});
}

std::optional<uint64_t> LayoutMap::Find(const Pairs& pairs, uint64_t old_pos) {
  auto it = std::lower_bound(pairs.begin(), pairs.end(), old_pos,
                             [](const auto& p, uint64_t v) { return p.first < v; });
  if (it == pairs.end() || it->first != old_pos) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> LayoutMap::NewElementPosition(uint64_t old_pos) const {
  return Find(elements_, old_pos);
}

std::optional<uint64_t> LayoutMap::NewBlockPosition(uint64_t old_pos) const {
  return Find(blocks_, old_pos);
}

std::optional<std::pair<uint64_t, uint64_t>> LayoutMap::ClusterData(uint64_t old_pos) const {
  auto it = std::lower_bound(cluster_data_.begin(), cluster_data_.end(), old_pos,
                             [](const auto& p, uint64_t v) { return p.first < v; });
  if (it == cluster_data_.end() || it->first != old_pos) return std::nullopt;
  return it->second;
}

namespace {

// A CueTrackPositions with its cluster and relative positions carried over.
absl::StatusOr<std::vector<uint8_t>> RewriteTrackPositions(absl::Span<const uint8_t> data,
                                                           const LayoutMap& map) {
  ASSIGN_OR_RETURN(const std::vector<Child> kids, ParseChildren(data, "CueTrackPositions"));
  ASSIGN_OR_RETURN(const uint64_t cluster, ChildUnsigned(kids, kIdCueClusterPosition, 0));
  const std::optional<uint64_t> new_cluster = map.NewElementPosition(cluster);
  const auto cluster_data = map.ClusterData(cluster);
  if (!new_cluster || !cluster_data) {
    return absl::FailedPreconditionError(
        absl::StrCat("a cue points at ", cluster, ", where no cluster starts"));
  }
  std::vector<uint8_t> out;
  for (const Child& c : kids) {
    switch (c.header.id) {
      case kIdCueClusterPosition:
        AppendUnsignedElement(out, kIdCueClusterPosition, *new_cluster);
        break;
      case kIdCueRelativePosition: {
        ASSIGN_OR_RETURN(const uint64_t rel, ReadUnsigned(c.data));
        const std::optional<uint64_t> block = map.NewBlockPosition(cluster_data->first + rel);
        if (!block) {
          return absl::FailedPreconditionError(absl::StrCat("a cue points at byte ", rel,
                                                            " of the cluster at ", cluster,
                                                            ", where no block starts"));
        }
        AppendUnsignedElement(out, kIdCueRelativePosition, *block - cluster_data->second);
        break;
      }
      case kIdCueCodecState: {
        ASSIGN_OR_RETURN(const uint64_t v, ReadUnsigned(c.data));
        if (v != 0) return absl::FailedPreconditionError("CueCodecState points into the file");
        out.insert(out.end(), c.whole.begin(), c.whole.end());
        break;
      }
      case kIdCueReference:
        return absl::FailedPreconditionError("CueReference is not carried over");
      default:
        out.insert(out.end(), c.whole.begin(), c.whole.end());
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> RewriteCues(absl::Span<const uint8_t> cues_data,
                                                 const LayoutMap& map) {
  ASSIGN_OR_RETURN(const std::vector<Child> points, ParseChildren(cues_data, "Cues"));
  std::vector<uint8_t> out;
  out.reserve(cues_data.size());
  std::vector<uint8_t> point;
  for (const Child& p : points) {
    if (p.header.id == kIdCrc32) {
      return absl::FailedPreconditionError("Cues with a CRC-32 element are not rewritten");
    }
    if (p.header.id != kIdCuePoint) {
      out.insert(out.end(), p.whole.begin(), p.whole.end());
      continue;
    }
    ASSIGN_OR_RETURN(const std::vector<Child> kids, ParseChildren(p.data, "CuePoint"));
    point.clear();
    for (const Child& c : kids) {
      if (c.header.id != kIdCueTrackPositions) {
        point.insert(point.end(), c.whole.begin(), c.whole.end());
        continue;
      }
      ASSIGN_OR_RETURN(const std::vector<uint8_t> tp, RewriteTrackPositions(c.data, map));
      AppendElement(point, kIdCueTrackPositions, tp);
    }
    AppendElement(out, kIdCuePoint, point);
  }
  return out;
}

absl::Status PatchSeekHead(absl::Span<uint8_t> seekhead_data, const LayoutMap& map) {
  ASSIGN_OR_RETURN(const std::vector<Child> seeks, ParseChildren(seekhead_data, "SeekHead"));
  for (const Child& s : seeks) {
    if (s.header.id == kIdCrc32) {
      return absl::FailedPreconditionError("SeekHead with a CRC-32 element is not rewritten");
    }
    if (s.header.id != kIdSeek) continue;
    ASSIGN_OR_RETURN(const std::vector<Child> kids, ParseChildren(s.data, "Seek"));
    const Child* pos = FindChild(kids, kIdSeekPosition);
    if (pos == nullptr) continue;
    ASSIGN_OR_RETURN(const uint64_t old_pos, ReadUnsigned(pos->data));
    const std::optional<uint64_t> new_pos = map.NewElementPosition(old_pos);
    if (!new_pos) {
      return absl::FailedPreconditionError(
          absl::StrCat("a SeekHead entry points at ", old_pos, ", where no element starts"));
    }
    const size_t width = pos->data.size();
    if (width < 8 && (*new_pos >> (8 * width)) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "new position ", *new_pos, " does not fit the SeekPosition's ", width, " bytes"));
    }
    const size_t at = s.offset + s.header.header_size + pos->offset + pos->header.header_size;
    for (size_t i = 0; i < width; ++i) {
      seekhead_data[at + i] = static_cast<uint8_t>(*new_pos >> (8 * (width - 1 - i)));
    }
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::matroska
