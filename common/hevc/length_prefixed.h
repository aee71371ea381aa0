// HEVC as Matroska and MP4 carry it: the hvcC decoder configuration record (ISO/IEC 14496-15
// 8.3.3) in CodecPrivate, and packets whose NALs each carry a big-endian length prefix instead
// of a start code. Lets a video packet be split, edited and written back in place.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::hevc {

// One NAL array of an hvcC record.
struct HvccArray {
  bool array_completeness = false;
  uint8_t nal_unit_type = 0;
  std::vector<std::vector<uint8_t>> nal_units;  // header first, escaped
};

// The parts of hvcC that stream rewriting needs; the fixed fields are kept raw.
struct HvccConfig {
  uint8_t configuration_version = 1;
  int nal_length_size = 4;  // lengthSizeMinusOne + 1: 1, 2 or 4
  std::vector<HvccArray> arrays;
};

// Parses an hvcC record. Errors: InvalidArgument if it is shorter than 23 bytes, has a version
// other than 1, a length size of 3, or arrays running past its end.
absl::StatusOr<HvccConfig> ParseHvcc(absl::Span<const uint8_t> hvcc);

// Splits a length-prefixed packet into NAL spans borrowing `packet`.
// Errors: InvalidArgument if nal_length_size is not 1..4 or a length runs past the packet end
// (the message names the byte offset).
absl::StatusOr<std::vector<absl::Span<const uint8_t>>> SplitLengthPrefixed(
    absl::Span<const uint8_t> packet, int nal_length_size);

// Appends `nal` to `out` behind a big-endian length of nal_length_size bytes.
// Errors: InvalidArgument if the NAL is too long for that size or the size is not 1..4.
absl::Status AppendLengthPrefixed(absl::Span<const uint8_t> nal, int nal_length_size,
                                  std::vector<uint8_t>& out);

}  // namespace mkvfleet::hevc
