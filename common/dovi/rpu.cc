// ParseRpu / WriteRpu: framing (prefix, alignment, CRC, final byte, escaping) around the header,
// mapping and DM sections.
#include "common/dovi/rpu.h"

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/bits/emulation_prevention.h"
#include "common/dovi/crc32.h"
#include "common/dovi/rpu_internal.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dovi {
namespace {

// Prefix byte + 32-bit CRC + final byte; the smallest possible header fits in the rest.
constexpr size_t kMinRpuBytes = 1 + 4 + 1 + 1;
constexpr size_t kCrcAndFinalBits = 40;

}  // namespace

namespace {

// ParseRpu into `rpu`, with `rbsp` as the buffer for the unescaped payload; lean (see
// rpu_internal.h) when `lean` is given.
absl::Status ParseRpuImpl(absl::Span<const uint8_t> payload, std::vector<uint8_t>& rbsp, Rpu& rpu,
                          internal::LeanSource* lean) {
  if (payload.empty()) return absl::InvalidArgumentError("RPU: empty payload");
  if (payload[0] != kRpuNalPrefix) {
    return absl::InvalidArgumentError(
        absl::StrFormat("RPU: first byte 0x%02X, expected rpu_nal_prefix 0x19", payload[0]));
  }
  if (rbsp.size() < payload.size() + bits::kEmulationPreventionSlack) {
    rbsp.resize(payload.size() + bits::kEmulationPreventionSlack);
  }
  const size_t rbsp_size = bits::RemoveEmulationPrevention(payload, rbsp.data());
  const absl::Span<const uint8_t> data(rbsp.data(), rbsp_size);
  size_t end = data.size();
  while (end > 0 && data[end - 1] == 0) --end;
  if (end < kMinRpuBytes) {
    return absl::InvalidArgumentError(absl::StrCat("RPU: payload too short (", end, " bytes)"));
  }
  if (data[end - 1] != kRpuFinalByte) {
    return absl::InvalidArgumentError(
        absl::StrFormat("RPU: last byte 0x%02X, expected 0x80", data[end - 1]));
  }

  rpu.trailing_zero_bytes = data.size() - end;
  bits::BitReader r(data.first(end));
  r.Skip(8);  // rpu_nal_prefix
  RETURN_IF_ERROR(ParseRpuHeader(r, rpu.header));
  if (lean != nullptr) {
    const RpuHeader& h = rpu.header;
    internal::LeanLayout& layout = lean->layout;
    layout.header = h;
    layout.header_end_bit = r.position();
    // The six flag bits are followed by the two DM/prev flags and prev_vdr_rpu_id's ue(v).
    size_t after_flags = 2;
    if (h.use_prev_vdr_rpu_flag) {
      after_flags += 2 * (std::bit_width(uint64_t{h.prev_vdr_rpu_id} + 1) - 1) + 1;
    }
    layout.header_flags_bit = h.has_bit_depths() ? r.position() - after_flags - 6 : 0;
  }
  // A reused `rpu` (the lean path keeps one per thread) keeps its mapping, which the parse
  // resets but for the capacity of the curves' piece lists.
  if (rpu.header.use_prev_vdr_rpu_flag) {
    rpu.mapping.reset();
  } else {
    if (!rpu.mapping) rpu.mapping.emplace();
    RETURN_IF_ERROR(lean != nullptr
                        ? internal::ParseRpuMappingLean(r, rpu.header, *rpu.mapping, lean->layout)
                        : ParseRpuMapping(r, rpu.header, *rpu.mapping));
  }
  if (!rpu.header.vdr_dm_metadata_present_flag) {
    rpu.vdr_dm_data.reset();
  } else {
    if (!rpu.vdr_dm_data) rpu.vdr_dm_data.emplace();
    RETURN_IF_ERROR(lean != nullptr ? internal::ParseVdrDmDataLean(r, rpu.header, *rpu.vdr_dm_data,
                                                                   lean->layout)
                                    : ParseVdrDmData(r, rpu.header, *rpu.vdr_dm_data));
  }
  if (r.ok() && r.ReadBits(static_cast<int>((8 - r.position() % 8) % 8)) != 0) {
    // The data ends at a byte boundary, so the alignment bits are all there.
    return absl::InvalidArgumentError("RPU: rpu_alignment_zero_bit is not 0");
  }
  if (!r.ok() || r.bits_left() < kCrcAndFinalBits) {
    return absl::InvalidArgumentError("RPU: data ends before the CRC32");
  }
  const size_t remaining_bytes = (r.bits_left() - kCrcAndFinalBits) / 8;
  const size_t body_end = r.position() / 8 + remaining_bytes;
  if (lean != nullptr) {
    if (!lean->layout.had_dm) lean->layout.tail_begin_byte = r.position() / 8;
    lean->layout.body_end_byte = body_end;
    lean->rbsp = data;
  } else {
    rpu.remaining.assign(data.begin() + r.position() / 8, data.begin() + body_end);
  }
  // Byte aligned, and at least 40 bits left: the CRC is the next four bytes.
  rpu.rpu_data_crc32 = (uint32_t{data[body_end]} << 24) | (uint32_t{data[body_end + 1]} << 16) |
                       (uint32_t{data[body_end + 2]} << 8) | data[body_end + 3];
  const uint32_t computed = Crc32Mpeg2(data.subspan(1, body_end - 1));
  if (computed != rpu.rpu_data_crc32) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "RPU: CRC mismatch: stored 0x%08X computed 0x%08X", rpu.rpu_data_crc32, computed));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status internal::CheckSectionsPresent(const Rpu& rpu) {
  const RpuHeader& h = rpu.header;
  if (!h.use_prev_vdr_rpu_flag && !rpu.mapping) {
    return absl::InvalidArgumentError("RPU: header announces a mapping section, Rpu has none");
  }
  if (h.vdr_dm_metadata_present_flag && !rpu.vdr_dm_data) {
    return absl::InvalidArgumentError("RPU: header announces DM data, Rpu has none");
  }
  return absl::OkStatus();
}

void internal::FinishRpu(bits::BitWriter& w, size_t trailing_zero_bytes,
                         std::vector<uint8_t>& out) {
  const uint32_t crc = Crc32Mpeg2(w.aligned_bytes().subspan(1));
  w.WriteBits(crc, 32);
  w.WriteBits(kRpuFinalByte, 8);
  for (size_t left = trailing_zero_bytes; left > 0;) {
    const size_t n = std::min<size_t>(left, 7);
    w.WriteBits(0, static_cast<int>(8 * n));
    left -= n;
  }
  // Escaped in a per-thread buffer and appended: growing `out` by resize would zero it first.
  thread_local std::vector<uint8_t> escaped;
  const absl::Span<const uint8_t> rbsp = w.aligned_bytes();
  if (escaped.size() < bits::EscapedCapacity(rbsp.size())) {
    escaped.resize(bits::EscapedCapacity(rbsp.size()));
  }
  const size_t n = bits::AddEmulationPrevention(rbsp, escaped.data());
  out.insert(out.end(), escaped.data(), escaped.data() + n);
}

namespace {

// WriteRpu appending to `out`, with `w` as scratch.
absl::Status WriteRpuImpl(const Rpu& rpu, bits::BitWriter& w, std::vector<uint8_t>& out) {
  RETURN_IF_ERROR(internal::CheckSectionsPresent(rpu));
  const RpuHeader& h = rpu.header;
  w.Clear();
  w.WriteBits(kRpuNalPrefix, 8);
  WriteRpuHeader(h, w);
  if (!h.use_prev_vdr_rpu_flag) {
    RETURN_IF_ERROR(WriteRpuMapping(*rpu.mapping, h, w));
  }
  if (h.vdr_dm_metadata_present_flag) {
    RETURN_IF_ERROR(WriteVdrDmData(*rpu.vdr_dm_data, w));
  }
  w.AlignWithZeros();
  w.WriteBytes(rpu.remaining);
  internal::FinishRpu(w, rpu.trailing_zero_bytes, out);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Rpu> ParseRpu(absl::Span<const uint8_t> payload) {
  std::vector<uint8_t> rbsp;
  Rpu rpu;
  RETURN_IF_ERROR(ParseRpuImpl(payload, rbsp, rpu, nullptr));
  return rpu;
}

absl::StatusOr<std::vector<uint8_t>> WriteRpu(const Rpu& rpu) {
  bits::BitWriter w;
  std::vector<uint8_t> out;
  RETURN_IF_ERROR(WriteRpuImpl(rpu, w, out));
  return out;
}

absl::Status internal::ParseRpuLean(absl::Span<const uint8_t> payload, std::vector<uint8_t>& rbsp,
                                    Rpu& rpu, LeanSource& source) {
  rpu.remaining.clear();  // `rpu` may be reused; the lean parse does not fill `remaining`
  // Only the flags are reset: each value the lean write or CanWriteLean reads is set by the
  // parse that sets the flag it sits behind (header, positions and tail are always set).
  LeanLayout& layout = source.layout;
  layout.had_mapping = layout.had_nlq = layout.had_dm = layout.had_cmv40 = false;
  return ParseRpuImpl(payload, rbsp, rpu, &source);
}

bool internal::CanWriteLean(const Rpu& rpu, const LeanSource& source) {
  const LeanLayout& layout = source.layout;
  const RpuHeader& h = rpu.header;
  if (!h.use_prev_vdr_rpu_flag && rpu.mapping) {
    const auto& curves = rpu.mapping->curves;
    const bool kept = curves[0].pieces.empty();
    for (int c = 0; c < kNumComponents; ++c) {
      if (curves[c].pieces.empty() != kept) return false;  // some curves replaced, some not
      if (kept && curves[c].num_pivots_minus2 != layout.num_pivots_minus2[c]) return false;
    }
    // Pieces not replaced by the conversion are copied: they must still be coded alike.
    if (kept && (!layout.had_mapping || h.coefficient_data_type != layout.coefficient_data_type ||
                 h.coefficient_log2_denom != layout.coefficient_log2_denom)) {
      return false;
    }
  }
  // The copied tail starts inside the DM data exactly when there was DM data.
  const bool writes_dm = h.vdr_dm_metadata_present_flag && rpu.vdr_dm_data;
  if (writes_dm != layout.had_dm) return false;
  if (writes_dm) {
    const VdrDmData& dm = *rpu.vdr_dm_data;
    if (!dm.cmv29.blocks.empty() || dm.cmv40.has_value() != layout.had_cmv40 ||
        (dm.cmv40 && !dm.cmv40->blocks.empty())) {
      return false;
    }
  }
  return rpu.remaining.empty();
}

absl::Status SetLevel1(Rpu& rpu, uint16_t min_pq, uint16_t max_pq, uint16_t avg_pq) {
  if (!rpu.vdr_dm_data) return absl::FailedPreconditionError("RPU: no DM data to hold level 1");
  if (min_pq > 4095 || max_pq > 4095 || avg_pq > 4095) {
    return absl::InvalidArgumentError(absl::StrCat("RPU: level 1 values ", min_pq, "/", max_pq, "/",
                                                   avg_pq, " do not fit 12 bits"));
  }
  rpu.vdr_dm_data->SetLevel1(min_pq, max_pq, avg_pq);
  return absl::OkStatus();
}

}  // namespace mkvfleet::dovi
