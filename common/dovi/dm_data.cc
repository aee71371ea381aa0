// vdr_dm_data_payload() fields in bitstream order, and the block lists around them.
#include "common/dovi/dm_data.h"

#include "absl/strings/str_cat.h"
#include "common/dovi/rpu_internal.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dovi {
namespace {

// 16 bits of the smallest CM v4.0 list (a level 254 block) + 32 CRC bits + the 0x80 byte.
constexpr size_t kCmV40MinBits = 56;

// Reads one list into `list`, or with list == nullptr only checks it (see CheckDmExtBlock).
// `blocks_begin_bit` receives the byte-aligned position of the first block.
// `count_end_bit` receives the position after num_ext_blocks.
absl::Status ParseExtList(bits::BitReader& r, CmVersion version, DmExtList* list,
                          uint64_t* num_blocks = nullptr, size_t* blocks_begin_bit = nullptr,
                          size_t* count_end_bit = nullptr) {
  const uint64_t num_ext_blocks = r.ReadUe();
  if (count_end_bit != nullptr) *count_end_bit = r.position();
  // The data ends at a byte boundary, so the alignment bits are all there when r.ok().
  if (r.ok() && r.ReadBits(static_cast<int>((8 - r.position() % 8) % 8)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("RPU: CM v", CmVersionName(version), " dm_alignment_zero_bit is not 0"));
  }
  if (!r.ok()) return r.status("RPU: num_ext_blocks");
  // Every block takes at least 9 bits (a 1-bit length and the level byte).
  if (num_ext_blocks > r.bits_left() / 9) {
    return absl::InvalidArgumentError(absl::StrCat("RPU: CM v", CmVersionName(version), " has ",
                                                   num_ext_blocks,
                                                   " extension blocks, more than fit the data"));
  }
  if (num_blocks != nullptr) *num_blocks = num_ext_blocks;
  if (blocks_begin_bit != nullptr) *blocks_begin_bit = r.position();
  if (list == nullptr) return internal::CheckDmExtBlocks(r, version, num_ext_blocks);
  list->blocks.resize(num_ext_blocks);
  for (DmExtBlock& block : list->blocks) {
    RETURN_IF_ERROR(ParseDmExtBlock(r, version, block));
  }
  return absl::OkStatus();
}

absl::Status WriteExtList(const DmExtList& list, bits::BitWriter& w) {
  w.WriteUe(list.blocks.size());
  w.AlignWithZeros();
  for (const DmExtBlock& block : list.blocks) {
    RETURN_IF_ERROR(WriteDmExtBlock(block, w));
  }
  return absl::OkStatus();
}

}  // namespace

const DmLevel1* VdrDmData::level1() const {
  for (const DmExtBlock& b : cmv29.blocks) {
    if (const auto* l1 = std::get_if<DmLevel1>(&b.payload)) return l1;
  }
  return nullptr;
}

void VdrDmData::SetLevel1(uint16_t min_pq, uint16_t max_pq, uint16_t avg_pq) {
  for (DmExtBlock& b : cmv29.blocks) {
    if (auto* l1 = std::get_if<DmLevel1>(&b.payload)) {
      *l1 = DmLevel1{min_pq, max_pq, avg_pq};
      return;
    }
  }
  cmv29.blocks.insert(cmv29.blocks.begin(), MakeLevel1Block(min_pq, max_pq, avg_pq));
}

void VdrDmData::SetProfile81Matrices() {
  ycc_to_rgb_coef = {9574, 0, 13802, 9574, -1540, -5348, 9574, 17610, 0};
  ycc_to_rgb_offset = {16777216, 134217728, 134217728};
  rgb_to_lms_coef = {7222, 8771, 390, 2654, 12430, 1300, 0, 422, 15962};
  signal_color_space = 0;
}

namespace {

// Three 16-bit fields read (written) as one 48-bit group: the DM head is mostly such runs, and
// one bit-reader call per group instead of per field is a third of the per-RPU work of the head.
void ReadThree16(bits::BitReader& r, int16_t* out) {
  const uint64_t v = r.ReadBits(48);
  out[0] = static_cast<int16_t>(v >> 32);
  out[1] = static_cast<int16_t>(v >> 16);
  out[2] = static_cast<int16_t>(v);
}
void WriteThree16(const int16_t* in, bits::BitWriter& w) {
  w.WriteBits((uint64_t{static_cast<uint16_t>(in[0])} << 32) |
                  (uint64_t{static_cast<uint16_t>(in[1])} << 16) | static_cast<uint16_t>(in[2]),
              48);
}

// The fields of vdr_dm_data_payload() before the CM v2.9 list; `ids_end` and `matrices_end`
// (when given) receive the positions after the ids and after the matrices.
void ParseVdrDmDataHead(bits::BitReader& r, const RpuHeader& h, VdrDmData& dm,
                        size_t* ids_end = nullptr, size_t* matrices_end = nullptr) {
  dm = VdrDmData();
  dm.compressed = h.reserved_zero_3bits == 1;
  dm.affected_dm_metadata_id = r.ReadUe();
  dm.current_dm_metadata_id = r.ReadUe();
  dm.scene_refresh_flag = r.ReadUe();
  if (ids_end != nullptr) *ids_end = *matrices_end = r.position();
  if (!dm.compressed) {
    for (int i = 0; i < 9; i += 3) ReadThree16(r, &dm.ycc_to_rgb_coef[i]);
    for (uint32_t& o : dm.ycc_to_rgb_offset) o = static_cast<uint32_t>(r.ReadBits(32));
    for (int i = 0; i < 9; i += 3) ReadThree16(r, &dm.rgb_to_lms_coef[i]);
    if (matrices_end != nullptr) *matrices_end = r.position();
    const uint64_t eotf = r.ReadBits(48);
    dm.signal_eotf = static_cast<uint16_t>(eotf >> 32);
    dm.signal_eotf_param0 = static_cast<uint16_t>(eotf >> 16);
    dm.signal_eotf_param1 = static_cast<uint16_t>(eotf);
    dm.signal_eotf_param2 = static_cast<uint32_t>(r.ReadBits(32));
    // 5 + 2 + 2 + 2 + 12 + 12 + 10 = 45 bits.
    const uint64_t sig = r.ReadBits(45);
    dm.signal_bit_depth = static_cast<uint8_t>((sig >> 40) & 0x1F);
    dm.signal_color_space = static_cast<uint8_t>((sig >> 38) & 3);
    dm.signal_chroma_format = static_cast<uint8_t>((sig >> 36) & 3);
    dm.signal_full_range_flag = static_cast<uint8_t>((sig >> 34) & 3);
    dm.source_min_pq = static_cast<uint16_t>((sig >> 22) & 0xFFF);
    dm.source_max_pq = static_cast<uint16_t>((sig >> 10) & 0xFFF);
    dm.source_diagonal = static_cast<uint16_t>(sig & 0x3FF);
  }
}

}  // namespace

absl::Status ParseVdrDmData(bits::BitReader& r, const RpuHeader& h, VdrDmData& dm) {
  ParseVdrDmDataHead(r, h, dm);
  if (!r.ok()) return r.status("RPU: vdr_dm_data");
  RETURN_IF_ERROR(ParseExtList(r, CmVersion::kV29, &dm.cmv29));
  if (r.bits_left() >= kCmV40MinBits) {
    dm.cmv40.emplace();
    RETURN_IF_ERROR(ParseExtList(r, CmVersion::kV40, &*dm.cmv40));
  }
  return absl::OkStatus();
}

absl::Status internal::ParseVdrDmDataLean(bits::BitReader& r, const RpuHeader& h, VdrDmData& dm,
                                          LeanLayout& layout) {
  layout.dm_begin_bit = r.position();
  ParseVdrDmDataHead(r, h, dm, &layout.dm_ids_end_bit, &layout.dm_matrices_end_bit);
  if (!r.ok()) return r.status("RPU: vdr_dm_data");
  layout.dm_head_end_bit = r.position();
  layout.dm = dm;
  layout.had_dm = true;
  size_t blocks_begin_bit = 0;
  RETURN_IF_ERROR(ParseExtList(r, CmVersion::kV29, nullptr, &layout.num_cmv29_blocks,
                               &blocks_begin_bit, &layout.dm_count_end_bit));
  layout.tail_begin_byte = blocks_begin_bit / 8;  // byte aligned
  layout.had_cmv40 = r.bits_left() >= kCmV40MinBits;
  if (layout.had_cmv40) {
    dm.cmv40.emplace();
    RETURN_IF_ERROR(ParseExtList(r, CmVersion::kV40, nullptr));
  }
  return absl::OkStatus();
}

void internal::WriteDmIds(const VdrDmData& dm, bits::BitWriter& w) {
  w.WriteUe(dm.affected_dm_metadata_id);
  w.WriteUe(dm.current_dm_metadata_id);
  w.WriteUe(dm.scene_refresh_flag);
}

void internal::WriteDmMatrices(const VdrDmData& dm, bits::BitWriter& w) {
  for (int i = 0; i < 9; i += 3) WriteThree16(&dm.ycc_to_rgb_coef[i], w);
  for (uint32_t o : dm.ycc_to_rgb_offset) w.WriteBits(o, 32);
  for (int i = 0; i < 9; i += 3) WriteThree16(&dm.rgb_to_lms_coef[i], w);
}

void internal::WriteDmSignal(const VdrDmData& dm, bits::BitWriter& w) {
  w.WriteBits((uint64_t{dm.signal_eotf} << 32) | (uint64_t{dm.signal_eotf_param0} << 16) |
                  dm.signal_eotf_param1,
              48);
  w.WriteBits(dm.signal_eotf_param2, 32);
  // Each field masked to its width, as separate writes would.
  w.WriteBits((uint64_t{dm.signal_bit_depth & 0x1Fu} << 40) |
                  (uint64_t{dm.signal_color_space & 3u} << 38) |
                  (uint64_t{dm.signal_chroma_format & 3u} << 36) |
                  (uint64_t{dm.signal_full_range_flag & 3u} << 34) |
                  (uint64_t{dm.source_min_pq & 0xFFFu} << 22) |
                  (uint64_t{dm.source_max_pq & 0xFFFu} << 10) | (dm.source_diagonal & 0x3FFu),
              45);
}

void internal::WriteVdrDmDataHead(const VdrDmData& dm, bits::BitWriter& w) {
  WriteDmIds(dm, w);
  if (!dm.compressed) {
    WriteDmMatrices(dm, w);
    WriteDmSignal(dm, w);
  }
}

absl::Status WriteVdrDmData(const VdrDmData& dm, bits::BitWriter& w) {
  internal::WriteVdrDmDataHead(dm, w);
  RETURN_IF_ERROR(WriteExtList(dm.cmv29, w));
  if (dm.cmv40) {
    RETURN_IF_ERROR(WriteExtList(*dm.cmv40, w));
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::dovi
