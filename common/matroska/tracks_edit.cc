// Video track lookup and the in-place Dolby Vision record edit (see tracks_edit.h).
#include "common/matroska/tracks_edit.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/matroska/ebml.h"
#include "common/matroska/ebml_children.h"
#include "common/status/status_macros.h"

namespace mkvfleet::matroska {
namespace {

constexpr uint64_t kTrackTypeVideo = 1;

bool IsDoviType(uint64_t type) { return type == kFourccDvcc || type == kFourccDvvc; }

// The video TrackEntry: its offset in the Tracks data and its children.
struct FoundTrack {
  const Child* entry = nullptr;
  std::vector<Child> children;
  VideoTrackEntry info;
};

absl::StatusOr<FoundTrack> Locate(const std::vector<Child>& entries) {
  FoundTrack found;
  int videos = 0;
  for (const Child& entry : entries) {
    if (entry.header.id != kIdTrackEntry) continue;
    ASSIGN_OR_RETURN(std::vector<Child> kids, ParseChildren(entry.data, "TrackEntry"));
    ASSIGN_OR_RETURN(const uint64_t type, ChildUnsigned(kids, kIdTrackType, 0));
    if (type != kTrackTypeVideo) continue;
    if (++videos > 1) {
      return absl::FailedPreconditionError("more than one video track");
    }
    VideoTrackEntry& v = found.info;
    ASSIGN_OR_RETURN(v.number, ChildUnsigned(kids, kIdTrackNumber, 0));
    ASSIGN_OR_RETURN(v.uid, ChildUnsigned(kids, kIdTrackUid, 0));
    if (const Child* c = FindChild(kids, kIdCodecId)) {
      v.codec_id.assign(c->data.begin(), c->data.end());
      while (!v.codec_id.empty() && v.codec_id.back() == '\0') v.codec_id.pop_back();
    }
    if (const Child* c = FindChild(kids, kIdCodecPrivate)) {
      v.codec_private.assign(c->data.begin(), c->data.end());
    }
    v.has_content_encodings = FindChild(kids, kIdContentEncodings) != nullptr;
    for (const Child& c : kids) {
      if (c.header.id != kIdBlockAdditionMapping) continue;
      ASSIGN_OR_RETURN(const std::vector<Child> m, ParseChildren(c.data, "BlockAdditionMapping"));
      ASSIGN_OR_RETURN(const uint64_t t, ChildUnsigned(m, kIdBlockAddIdType, 0));
      if (IsDoviType(t)) v.has_dovi_mapping = true;
    }
    found.entry = &entry;
    found.children = std::move(kids);
  }
  if (videos == 0) return absl::FailedPreconditionError("no video track");
  if (found.info.number == 0) return absl::InvalidArgumentError("video track without a number");
  return found;
}

}  // namespace

absl::StatusOr<VideoTrackEntry> FindVideoTrack(absl::Span<const uint8_t> tracks_data) {
  ASSIGN_OR_RETURN(const std::vector<Child> entries, ParseChildren(tracks_data, "Tracks"));
  ASSIGN_OR_RETURN(FoundTrack found, Locate(entries));
  return found.info;
}

absl::StatusOr<std::vector<uint8_t>> ReplaceDoviRecord(absl::Span<const uint8_t> tracks_data,
                                                       uint64_t video_track_number,
                                                       absl::Span<const uint8_t> record,
                                                       uint32_t fourcc) {
  ASSIGN_OR_RETURN(const std::vector<Child> entries, ParseChildren(tracks_data, "Tracks"));
  ASSIGN_OR_RETURN(const FoundTrack found, Locate(entries));
  if (found.info.number != video_track_number) {
    return absl::FailedPreconditionError(
        absl::StrCat("video track is number ", found.info.number, ", not ", video_track_number));
  }
  // A CRC-32 over any of the edited elements would go stale.
  if (FindChild(entries, kIdCrc32) != nullptr || FindChild(found.children, kIdCrc32) != nullptr) {
    return absl::FailedPreconditionError("Tracks with a CRC-32 element are not rewritten");
  }
  std::vector<uint8_t> out(tracks_data.begin(), tracks_data.end());
  // Offsets of the entry's data within tracks_data.
  const size_t entry_data_at = found.entry->offset + found.entry->header.header_size;
  bool replaced = false;
  for (const Child& c : found.children) {
    if (c.header.id != kIdBlockAdditionMapping) continue;
    ASSIGN_OR_RETURN(const std::vector<Child> m, ParseChildren(c.data, "BlockAdditionMapping"));
    if (FindChild(m, kIdCrc32) != nullptr) {
      return absl::FailedPreconditionError("Tracks with a CRC-32 element are not rewritten");
    }
    const Child* type = FindChild(m, kIdBlockAddIdType);
    const Child* extra = FindChild(m, kIdBlockAddIdExtraData);
    if (type == nullptr || extra == nullptr) continue;
    ASSIGN_OR_RETURN(const uint64_t t, ReadUnsigned(type->data));
    if (!IsDoviType(t)) continue;
    if (type->data.size() != 4) {
      return absl::FailedPreconditionError(
          absl::StrCat("Dolby Vision mapping type stored in ", type->data.size(), " bytes, not 4"));
    }
    if (extra->data.size() < record.size()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Dolby Vision record of ", extra->data.size(), " bytes (< ", record.size(), ")"));
    }
    const size_t mapping_data_at = entry_data_at + c.offset + c.header.header_size;
    const size_t type_at = mapping_data_at + type->offset + type->header.header_size;
    for (int i = 0; i < 4; ++i) out[type_at + i] = static_cast<uint8_t>(fourcc >> (8 * (3 - i)));
    const size_t extra_at = mapping_data_at + extra->offset + extra->header.header_size;
    std::fill(out.begin() + extra_at, out.begin() + extra_at + extra->data.size(), 0);
    std::memcpy(out.data() + extra_at, record.data(), record.size());
    replaced = true;
  }
  if (!replaced) {
    return absl::FailedPreconditionError("the video track has no Dolby Vision mapping");
  }
  return out;
}

}  // namespace mkvfleet::matroska
