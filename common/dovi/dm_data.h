// vdr_dm_data_payload(): the display management metadata of an RPU: colour matrices, signal
// description, source display, and the CM v2.9 and CM v4.0 extension block lists.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "common/bits/bit_reader.h"
#include "common/bits/bit_writer.h"
#include "common/dovi/dm_ext_blocks.h"
#include "common/dovi/rpu_header.h"

namespace mkvfleet::dovi {

// One list of extension blocks, in coded order (order is kept on write: players read it as is).
// num_ext_blocks is blocks.size().
struct DmExtList {
  std::vector<DmExtBlock> blocks;
};

// The DM payload. When `compressed` (header reserved_zero_3bits == 1) only the three ids are
// coded; the matrices and signal fields keep their defaults and are not written.
struct VdrDmData {
  bool compressed = false;
  uint64_t affected_dm_metadata_id = 0;
  uint64_t current_dm_metadata_id = 0;
  uint64_t scene_refresh_flag = 0;
  std::array<int16_t, 9> ycc_to_rgb_coef{};  // ycc_to_rgb_coef0..8
  std::array<uint32_t, 3> ycc_to_rgb_offset{};
  std::array<int16_t, 9> rgb_to_lms_coef{};  // rgb_to_lms_coef0..8
  uint16_t signal_eotf = 0;
  uint16_t signal_eotf_param0 = 0;
  uint16_t signal_eotf_param1 = 0;
  uint32_t signal_eotf_param2 = 0;
  uint8_t signal_bit_depth = 0;
  uint8_t signal_color_space = 0;
  uint8_t signal_chroma_format = 0;
  uint8_t signal_full_range_flag = 0;
  uint16_t source_min_pq = 0;
  uint16_t source_max_pq = 0;
  uint16_t source_diagonal = 0;
  DmExtList cmv29;                 // always coded (may be empty)
  std::optional<DmExtList> cmv40;  // present in CM v4.0 RPUs

  CmVersion cm_version() const { return cmv40 ? CmVersion::kV40 : CmVersion::kV29; }
  // The first level 1 block (level 1 lives in the CM v2.9 list), or nullptr.
  const DmLevel1* level1() const;
  // Sets the values of the first level 1 block, adding a 5-byte block at the front of the CM
  // v2.9 list when there is none.
  void SetLevel1(uint16_t min_pq, uint16_t max_pq, uint16_t avg_pq);
  // Sets the BT.2020 YCbCr->RGB and RGB->LMS matrices of profile 8.1 and signal_color_space 0.
  void SetProfile81Matrices();
};

// Reads vdr_dm_data_payload(). A CM v4.0 list is read when at least 56 bits (a level 254 block
// plus CRC and final byte) are left after the CM v2.9 list, as the reference tools do. Errors as
// ParseDmExtBlock, or OutOfRange when the data ends.
absl::Status ParseVdrDmData(bits::BitReader& reader, const RpuHeader& header, VdrDmData& dm);
absl::Status WriteVdrDmData(const VdrDmData& dm, bits::BitWriter& writer);

}  // namespace mkvfleet::dovi
