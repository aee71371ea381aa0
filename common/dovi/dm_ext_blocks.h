// The extension metadata blocks of the DM data (levels 1..255): per-frame brightness (L1), trims
// (L2, L8), mastering and target displays (L6, L9, L10), content type (L11), version (L254/255).
// Each level struct lists its fields once in Fields(), which both the reader and writer use.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "common/bits/bit_reader.h"
#include "common/bits/bit_writer.h"

namespace mkvfleet::dovi {

// Fields(self, v) calls v(field, bits) for every field in bitstream order. Blocks whose length
// leaves no room for trailing fields (L8, L9, L10 have short and long forms) simply omit them.
// The field lists are kept one syntax line per source line, like the spec tables.
// clang-format off

// Level 1: brightness of this frame (PQ, 12 bits).
struct DmLevel1 {
  uint16_t min_pq = 0, max_pq = 0, avg_pq = 0;
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.min_pq, 12); v(s.max_pq, 12); v(s.avg_pq, 12);
  }
};
// Level 2: CM v2.9 trim pass for one target display.
struct DmLevel2 {
  uint16_t target_max_pq = 0, trim_slope = 0, trim_offset = 0, trim_power = 0,
           trim_chroma_weight = 0, trim_saturation_gain = 0;
  uint16_t ms_weight = 0;  // 13-bit two's complement, kept as coded
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.target_max_pq, 12); v(s.trim_slope, 12); v(s.trim_offset, 12); v(s.trim_power, 12);
    v(s.trim_chroma_weight, 12); v(s.trim_saturation_gain, 12); v(s.ms_weight, 13);
  }
};
// Level 3: offsets to level 1 (CM v4.0).
struct DmLevel3 {
  uint16_t min_pq_offset = 0, max_pq_offset = 0, avg_pq_offset = 0;
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.min_pq_offset, 12); v(s.max_pq_offset, 12); v(s.avg_pq_offset, 12);
  }
};
// Level 4: temporal filtering anchor (CM v2.9).
struct DmLevel4 {
  uint16_t anchor_pq = 0, anchor_power = 0;
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.anchor_pq, 12); v(s.anchor_power, 12);
  }
};
// Level 5: active area (letterbox offsets in pixels).
struct DmLevel5 {
  uint16_t active_area_left_offset = 0, active_area_right_offset = 0,
           active_area_top_offset = 0, active_area_bottom_offset = 0;
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.active_area_left_offset, 13); v(s.active_area_right_offset, 13);
    v(s.active_area_top_offset, 13); v(s.active_area_bottom_offset, 13);
  }
};
// Level 6: HDR10 fallback metadata (ST 2086 mastering display, MaxCLL, MaxFALL in nits).
struct DmLevel6 {
  uint16_t max_display_mastering_luminance = 0, min_display_mastering_luminance = 0,
           max_content_light_level = 0, max_frame_average_light_level = 0;
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.max_display_mastering_luminance, 16); v(s.min_display_mastering_luminance, 16);
    v(s.max_content_light_level, 16); v(s.max_frame_average_light_level, 16);
  }
};
// Level 8: CM v4.0 trim pass for one target display (10, 12, 13, 19 or 25 bytes).
struct DmLevel8 {
  uint8_t target_display_index = 0;
  uint16_t trim_slope = 0, trim_offset = 0, trim_power = 0, trim_chroma_weight = 0,
           trim_saturation_gain = 0, ms_weight = 0, target_mid_contrast = 0, clip_trim = 0;
  uint8_t saturation_vector_field[6] = {}, hue_vector_field[6] = {};
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.target_display_index, 8); v(s.trim_slope, 12); v(s.trim_offset, 12);
    v(s.trim_power, 12); v(s.trim_chroma_weight, 12); v(s.trim_saturation_gain, 12);
    v(s.ms_weight, 12); v(s.target_mid_contrast, 12); v(s.clip_trim, 12);
    for (auto& f : s.saturation_vector_field) v(f, 8);
    for (auto& f : s.hue_vector_field) v(f, 8);
  }
};
// Level 9: source (mastering) primaries, a preset index or (17 bytes) explicit xy values.
struct DmLevel9 {
  uint8_t source_primary_index = 0;
  uint16_t source_primary_red_x = 0, source_primary_red_y = 0, source_primary_green_x = 0,
           source_primary_green_y = 0, source_primary_blue_x = 0, source_primary_blue_y = 0,
           source_primary_white_x = 0, source_primary_white_y = 0;
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.source_primary_index, 8);
    v(s.source_primary_red_x, 16); v(s.source_primary_red_y, 16);
    v(s.source_primary_green_x, 16); v(s.source_primary_green_y, 16);
    v(s.source_primary_blue_x, 16); v(s.source_primary_blue_y, 16);
    v(s.source_primary_white_x, 16); v(s.source_primary_white_y, 16);
  }
};
// Level 10: a custom target display (5 bytes, or 21 with explicit primaries).
struct DmLevel10 {
  uint8_t target_display_index = 0;
  uint16_t target_max_pq = 0, target_min_pq = 0;
  uint8_t target_primary_index = 0;
  uint16_t target_primary_red_x = 0, target_primary_red_y = 0, target_primary_green_x = 0,
           target_primary_green_y = 0, target_primary_blue_x = 0, target_primary_blue_y = 0,
           target_primary_white_x = 0, target_primary_white_y = 0;
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.target_display_index, 8); v(s.target_max_pq, 12); v(s.target_min_pq, 12);
    v(s.target_primary_index, 8);
    v(s.target_primary_red_x, 16); v(s.target_primary_red_y, 16);
    v(s.target_primary_green_x, 16); v(s.target_primary_green_y, 16);
    v(s.target_primary_blue_x, 16); v(s.target_primary_blue_y, 16);
    v(s.target_primary_white_x, 16); v(s.target_primary_white_y, 16);
  }
};
// Level 11: content type and intended picture mode.
struct DmLevel11 {
  uint8_t content_type = 0, content_sub_type = 0, whitepoint = 0, reference_mode_flag = 0,
          reserved_3_bits = 0, sharpness = 0, noise_reduction = 0, mpeg_noise_reduction = 0,
          frame_rate_conversion = 0, brightness = 0, color = 0, reserved_2_bits1 = 0,
          reserved_2_bits2 = 0;
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.content_type, 4); v(s.content_sub_type, 4); v(s.whitepoint, 4);
    v(s.reference_mode_flag, 1); v(s.reserved_3_bits, 3); v(s.sharpness, 2);
    v(s.noise_reduction, 2); v(s.mpeg_noise_reduction, 2); v(s.frame_rate_conversion, 2);
    v(s.brightness, 2); v(s.color, 2); v(s.reserved_2_bits1, 2); v(s.reserved_2_bits2, 2);
  }
};
// Level 254: CM v4.0 version block.
struct DmLevel254 {
  uint8_t dm_mode = 0, dm_version_index = 0;
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.dm_mode, 8); v(s.dm_version_index, 8);
  }
};
// Level 255: CM v2.9 run mode and debug bytes.
struct DmLevel255 {
  uint8_t dm_run_mode = 0, dm_run_version = 0, dm_debug[4] = {};
  template <class S, class V> static void Fields(S& s, V&& v) {
    v(s.dm_run_mode, 8); v(s.dm_run_version, 8);
    for (auto& f : s.dm_debug) v(f, 8);
  }
};
// clang-format on

// A level this parser does not know: its ext_block_length bytes kept verbatim.
struct DmReservedBlock {
  std::vector<uint8_t> bytes;
};

using DmBlockPayload =
    std::variant<DmLevel1, DmLevel2, DmLevel3, DmLevel4, DmLevel5, DmLevel6, DmLevel8, DmLevel9,
                 DmLevel10, DmLevel11, DmLevel254, DmLevel255, DmReservedBlock>;

// One ext_metadata_block(): its coded length in bytes, its level and its payload. Bits of the
// length not used by the level's fields are ext_dm_alignment_zero_bits.
struct DmExtBlock {
  uint64_t ext_block_length = 0;
  uint8_t ext_block_level = 0;
  DmBlockPayload payload;
};

// Which list a block sits in: CM v2.9 (levels 1, 2, 4, 5, 6, 255) or CM v4.0 (levels 3, 8, 9,
// 10, 11, 254). Other levels are unknown and kept raw in either list.
enum class CmVersion { kV29, kV40 };
const char* CmVersionName(CmVersion v);  // "2.9" / "4.0"

// Reads one ext_metadata_block(). Returns InvalidArgument for a level belonging to the other CM
// version ("RPU: level 3 extension block not allowed in CM v2.9"), a length shorter than the
// level's fields or longer than the data left, or non-zero alignment bits.
absl::Status ParseDmExtBlock(bits::BitReader& reader, CmVersion version, DmExtBlock& block);
// Writes the block with its ext_block_length. Returns InvalidArgument when the length is shorter
// than the level's fields, or a reserved block's byte count differs from its length.
absl::Status WriteDmExtBlock(const DmExtBlock& block, bits::BitWriter& writer);

// A level 1 block of 5 bytes with these values.
DmExtBlock MakeLevel1Block(uint16_t min_pq, uint16_t max_pq, uint16_t avg_pq);

}  // namespace mkvfleet::dovi
