// The Tracks element as a lossless Dolby Vision rewrite sees it: which track is the video, how
// its frames are stored, and its Dolby Vision configuration record, replaced in place (same
// size), so nothing before the first Cluster moves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::matroska {

// What the rewrite needs to know about the (single) video track.
struct VideoTrackEntry {
  uint64_t number = 0;
  uint64_t uid = 0;
  std::string codec_id;                  // e.g. "V_MPEGH/ISO/HEVC"
  std::vector<uint8_t> codec_private;    // hvcC for HEVC
  bool has_content_encodings = false;    // compressed or encrypted frames
  bool has_dovi_mapping = false;         // a BlockAdditionMapping of type dvcC or dvvC
};

inline constexpr uint32_t kFourccDvcc = 0x64766343;  // 'dvcC': DV profiles up to 7
inline constexpr uint32_t kFourccDvvc = 0x64767643;  // 'dvvC': DV profiles 8 and up

// Finds the video track in the Tracks element's data. Errors: InvalidArgument for malformed
// data; FailedPrecondition for no video track or more than one (attached pictures are
// attachments in Matroska, not tracks).
absl::StatusOr<VideoTrackEntry> FindVideoTrack(absl::Span<const uint8_t> tracks_data);

// A copy of the Tracks data with the video track's Dolby Vision BlockAdditionMapping holding
// `record` (the 24-byte configuration record) and type `fourcc`, byte for byte the same size:
// the record is zero-padded to the stored length. Errors: FailedPrecondition when the track has
// no such mapping, its type field is not 4 bytes or its stored record is shorter than `record`;
// InvalidArgument for malformed data.
absl::StatusOr<std::vector<uint8_t>> ReplaceDoviRecord(absl::Span<const uint8_t> tracks_data,
                                                       uint64_t video_track_number,
                                                       absl::Span<const uint8_t> record,
                                                       uint32_t fourcc);

}  // namespace mkvfleet::matroska
