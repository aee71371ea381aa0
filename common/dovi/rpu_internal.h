// Internals of the RPU core shared between its .cc files: the lean parse and write that
// ConvertRpuPayload uses. Not part of the library's interface.
//
// The lean parse checks everything ParseRpu checks, in the same order and with the same errors,
// but does not keep what no conversion reads: the mapping pieces, the DM extension blocks and
// `remaining`. It records where they sit in the RBSP instead, and the lean write copies them
// from there. That is bit-exact because writing a parsed piece, block or list gives back exactly
// the bits it was parsed from (every code is canonical and every checked padding bit is zero),
// and because the copied spans do not depend on what comes before them: the pieces hold no
// alignment, and the DM tail starts at a byte boundary in the input and in the output. The same
// holds for every other section, so the lean write copies any section whose values the
// conversion left as parsed (LeanLayout records where each sits and what it held) and
// serialises only the rest. Checks that have a fast path (extension blocks, mapping pieces) hand
// anything unusual back to the exact code, which owns every error message.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/bits/bit_reader.h"
#include "common/bits/bit_writer.h"
#include "common/dovi/dm_data.h"
#include "common/dovi/dm_ext_blocks.h"
#include "common/dovi/rpu.h"
#include "common/dovi/rpu_header.h"
#include "common/dovi/rpu_mapping.h"

namespace mkvfleet::dovi::internal {

// Where the lean parse found what it did not keep, and what the sections it may copy held: a
// section of the input is copied by the lean write when every value that decides its bits is
// still what was parsed (a parsed value writes back to the very bits it was read from).
struct LeanLayout {
  // The header as parsed; RBSP bits [8, header_end_bit) hold it, its six bits from
  // spatial_resampling_filter_flag to disable_residual_flag at header_flags_bit (0: not coded).
  RpuHeader header;
  size_t header_end_bit = 0;
  size_t header_flags_bit = 0;
  // Mapping: bits [mapping_begin_bit, nlq_pivots_begin_bit) hold the ids and the pivots, then
  // the NLQ pivots up to partitions_begin_bit, the partitions up to pieces_begin_bit, the pieces
  // of all curves (coded with these pivot counts and coefficient format) up to pieces_end_bit,
  // and the NLQ parameters up to mapping_end_bit.
  bool had_mapping = false;
  size_t mapping_begin_bit = 0;
  size_t nlq_pivots_begin_bit = 0;
  size_t partitions_begin_bit = 0;
  size_t pieces_begin_bit = 0;
  size_t pieces_end_bit = 0;
  size_t mapping_end_bit = 0;
  uint64_t vdr_rpu_id = 0;
  uint64_t mapping_color_space = 0;
  uint64_t mapping_chroma_format_idc = 0;
  std::array<uint32_t, kNumComponents> num_pivots_minus2{};
  std::array<std::array<uint16_t, kMaxPivots>, kNumComponents> pred_pivot_value{};
  uint64_t num_x_partitions_minus1 = 0;
  uint64_t num_y_partitions_minus1 = 0;
  bool had_nlq = false;
  RpuNlq nlq;
  uint8_t coefficient_data_type = 0;
  uint32_t coefficient_log2_denom = 0;
  // DM data: bits [dm_begin_bit, dm_ids_end_bit) hold the three ids, then (not compressed) the
  // matrices up to dm_matrices_end_bit and the signal fields up to dm_head_end_bit, then the CM
  // v2.9 block count up to dm_count_end_bit; `dm` holds those values as parsed (no blocks).
  bool had_dm = false;
  size_t dm_begin_bit = 0;
  size_t dm_ids_end_bit = 0;
  size_t dm_matrices_end_bit = 0;
  size_t dm_head_end_bit = 0;
  size_t dm_count_end_bit = 0;
  VdrDmData dm;
  uint64_t num_cmv29_blocks = 0;
  bool had_cmv40 = false;
  // RBSP bytes [tail_begin_byte, body_end_byte) are everything up to the CRC that follows the
  // byte-aligned start of the CM v2.9 blocks (with DM data) or the aligned end of the mapping
  // (without): blocks, CM v4.0 list, alignment and `remaining`. The bits between the last
  // section and tail_begin_byte are alignment zeros.
  size_t tail_begin_byte = 0;
  size_t body_end_byte = 0;
};

// The 64 bits of `data` from bit `bit` on, first bit highest. REQUIRES: (bit >> 3) + 8 <= size.
inline uint64_t PeekBits64(const uint8_t* data, size_t bit) {
  uint64_t v;
  std::memcpy(&v, data + (bit >> 3), 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v << (bit & 7);
}

// Extension block rules (dm_ext_blocks.cc): the smallest ext_block_length of a level (0 for
// unknown levels), which list a level belongs to, and the bits its fields take in a block of
// `budget` bits (0 for unknown levels).
uint64_t MinBlockLength(uint8_t level);
bool IsCmV29Level(uint8_t level);
bool IsCmV40Level(uint8_t level);
uint64_t LevelFieldBits(uint8_t level, uint64_t budget);

// ParseDmExtBlock without keeping the block: same checks, same errors, same bits consumed.
absl::Status CheckDmExtBlock(bits::BitReader& reader, CmVersion version);
// CheckDmExtBlock `count` times. Blocks whose checks pass on a table-driven fast path are
// skipped there; any block it is unsure of (an error, or too near the end of the data to read
// it in whole words) is redone by CheckDmExtBlock from its start, so results and errors are
// those of the loop.
absl::Status CheckDmExtBlocks(bits::BitReader& reader, CmVersion version, uint64_t count);

// ParseRpuMapping / ParseVdrDmData keeping no pieces (curves' `pieces` stay empty) and no
// blocks (lists stay empty), recording their place in `layout`.
absl::Status ParseRpuMappingLean(bits::BitReader& reader, const RpuHeader& header,
                                 RpuMapping& mapping, LeanLayout& layout);
absl::Status ParseVdrDmDataLean(bits::BitReader& reader, const RpuHeader& header, VdrDmData& dm,
                                LeanLayout& layout);
// The six header bits from spatial_resampling_filter_flag to disable_residual_flag, as
// WriteRpuHeader writes them (coded when header.has_bit_depths()).
uint64_t HeaderFlagBits(const RpuHeader& header);

// The part of WriteVdrDmData before the CM v2.9 list: ids, then (not compressed) matrices and
// signal fields; and each of the three alone.
void WriteVdrDmDataHead(const VdrDmData& dm, bits::BitWriter& writer);
void WriteDmIds(const VdrDmData& dm, bits::BitWriter& writer);
void WriteDmMatrices(const VdrDmData& dm, bits::BitWriter& writer);
void WriteDmSignal(const VdrDmData& dm, bits::BitWriter& writer);
// The fields of rpu_data_mapping() before the NLQ pivots: ids, pivot counts and pivots.
void WriteRpuMappingHead(const RpuMapping& mapping, const RpuHeader& header,
                         bits::BitWriter& writer);
// The checks WriteRpuMapping makes before writing, with its errors.
absl::Status CheckRpuMappingWritable(const RpuMapping& mapping, const RpuHeader& header,
                                     bool pieces_given);

// The RBSP of a lean parse and what was found in it.
struct LeanSource {
  absl::Span<const uint8_t> rbsp;
  LeanLayout layout;
};

// ParseRpu into `rpu`, lean: `rbsp` receives the unescaped payload (and must outlive the use
// of `source`). `source` may be reused from an earlier call (it is not cleared, which would cost
// more than the rest of the header parse).
absl::Status ParseRpuLean(absl::Span<const uint8_t> payload, std::vector<uint8_t>& rbsp, Rpu& rpu,
                          LeanSource& source);
// True when WriteRpuLean can write `rpu` (a lean-parsed Rpu, then converted) exactly as WriteRpu
// would write the fully parsed and equally converted Rpu: whatever the conversion changed, it
// did not need the values the lean parse left out.
bool CanWriteLean(const Rpu& rpu, const LeanSource& source);
// WriteRpu for a lean-parsed Rpu (REQUIRES: CanWriteLean), appending the escaped payload to
// `out`; `writer` is scratch (cleared first). Sections whose values are as parsed are copied
// from `source` (rpu_lean_write.cc).
absl::Status WriteRpuLean(const Rpu& rpu, const LeanSource& source, bits::BitWriter& writer,
                          std::vector<uint8_t>& out);
// The checks WriteRpu makes on the sections the header announces, with its errors.
absl::Status CheckSectionsPresent(const Rpu& rpu);
// The end of WriteRpu: CRC over writer's bytes after the prefix, final byte, trailing zeros,
// and the escaped result appended to `out`.
void FinishRpu(bits::BitWriter& writer, size_t trailing_zero_bytes, std::vector<uint8_t>& out);

}  // namespace mkvfleet::dovi::internal
