// mkvmerge keeps per-track statistics in Tags (BPS, NUMBER_OF_BYTES, ...). A rewrite that
// changes the video track's bytes must restate them, or players and media servers show the old
// bitrate; this is that edit.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::matroska {

// New Tags data in which the Tag targeting `track_uid` states NUMBER_OF_BYTES = `new_bytes` and
// BPS scaled by the same factor (the duration is unchanged). Tags without those names, and all
// other tags, are kept byte for byte. Errors: InvalidArgument for malformed data or a
// non-numeric value; FailedPrecondition for a CRC-32 element (the caller strips a leading one
// and restates it, crc32.h).
absl::StatusOr<std::vector<uint8_t>> UpdateTrackStatistics(absl::Span<const uint8_t> tags_data,
                                                           uint64_t track_uid,
                                                           uint64_t new_bytes);

}  // namespace mkvfleet::matroska
