// The Dolby Vision decoder configuration record (dvcC / dvvC box, Matroska BlockAdditionMapping),
// the container-level statement of profile, level and which layers a track carries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::dovi {

// Fields named as in the Dolby Vision ISOBMFF/Matroska specification.
struct DoviConfigRecord {
  uint8_t dv_version_major = 1;
  uint8_t dv_version_minor = 0;
  uint8_t dv_profile = 0;  // 4, 5, 7, 8, ...
  uint8_t dv_level = 0;
  bool rpu_present_flag = false;
  bool el_present_flag = false;
  bool bl_present_flag = false;
  uint8_t dv_bl_signal_compatibility_id = 0;  // 1 = HDR10, 2 = SDR, 4 = HLG, 6 = Blu-ray

  bool operator==(const DoviConfigRecord&) const = default;
};

// The record of a profile 8.1 stream, what every conversion writes: RPU and BL present, no EL,
// BL signal compatibility 1 (HDR10), at `level`.
DoviConfigRecord Profile81Record(int level);

// Parses the record's leading bytes (at least 5; the 24-byte box body as stored in the file is
// fine). Errors: InvalidArgument when shorter than 5 bytes.
absl::StatusOr<DoviConfigRecord> ParseDoviConfigRecord(absl::Span<const uint8_t> bytes);

// The 24-byte record (reserved bits zero), as ParseDoviConfigRecord reads it.
std::vector<uint8_t> SerializeDoviConfigRecord(const DoviConfigRecord& record);

// One line for humans: "profile 7 level 6 rpu el bl compat 6".
std::string DescribeDoviConfig(const DoviConfigRecord& record);

}  // namespace mkvfleet::dovi
