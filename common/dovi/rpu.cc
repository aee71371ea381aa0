// ParseRpu / WriteRpu: framing (prefix, alignment, CRC, final byte, escaping) around the header,
// mapping and DM sections.
#include "common/dovi/rpu.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/bits/emulation_prevention.h"
#include "common/dovi/crc32.h"

namespace mkvfleet::dovi {
namespace {

// Prefix byte + 32-bit CRC + final byte; the smallest possible header fits in the rest.
constexpr size_t kMinRpuBytes = 1 + 4 + 1 + 1;
constexpr size_t kCrcAndFinalBits = 40;

}  // namespace

absl::StatusOr<Rpu> ParseRpu(absl::Span<const uint8_t> payload) {
  if (payload.empty()) return absl::InvalidArgumentError("RPU: empty payload");
  if (payload[0] != kRpuNalPrefix) {
    return absl::InvalidArgumentError(
        absl::StrFormat("RPU: first byte 0x%02X, expected rpu_nal_prefix 0x19", payload[0]));
  }
  const std::vector<uint8_t> rbsp = bits::RemoveEmulationPrevention(payload);
  size_t end = rbsp.size();
  while (end > 0 && rbsp[end - 1] == 0) --end;
  if (end < kMinRpuBytes) {
    return absl::InvalidArgumentError(absl::StrCat("RPU: payload too short (", end, " bytes)"));
  }
  if (rbsp[end - 1] != kRpuFinalByte) {
    return absl::InvalidArgumentError(
        absl::StrFormat("RPU: last byte 0x%02X, expected 0x80", rbsp[end - 1]));
  }

  Rpu rpu;
  rpu.trailing_zero_bytes = rbsp.size() - end;
  bits::BitReader r(absl::MakeConstSpan(rbsp.data(), end));
  r.Skip(8);  // rpu_nal_prefix
  if (absl::Status s = ParseRpuHeader(r, rpu.header); !s.ok()) return s;
  if (!rpu.header.use_prev_vdr_rpu_flag) {
    rpu.mapping.emplace();
    if (absl::Status s = ParseRpuMapping(r, rpu.header, *rpu.mapping); !s.ok()) return s;
  }
  if (rpu.header.vdr_dm_metadata_present_flag) {
    rpu.vdr_dm_data.emplace();
    if (absl::Status s = ParseVdrDmData(r, rpu.header, *rpu.vdr_dm_data); !s.ok()) return s;
  }
  while (r.ok() && !r.byte_aligned()) {
    if (r.ReadBits(1) != 0)
      return absl::InvalidArgumentError("RPU: rpu_alignment_zero_bit is not 0");
  }
  if (!r.ok() || r.bits_left() < kCrcAndFinalBits) {
    return absl::InvalidArgumentError("RPU: data ends before the CRC32");
  }
  const size_t remaining_bytes = (r.bits_left() - kCrcAndFinalBits) / 8;
  const size_t body_end = r.position() / 8 + remaining_bytes;
  rpu.remaining.assign(rbsp.begin() + r.position() / 8, rbsp.begin() + body_end);
  r.Skip(remaining_bytes * 8);
  rpu.rpu_data_crc32 = static_cast<uint32_t>(r.ReadBits(32));
  const uint32_t computed = Crc32Mpeg2(absl::MakeConstSpan(rbsp.data() + 1, body_end - 1));
  if (computed != rpu.rpu_data_crc32) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "RPU: CRC mismatch: stored 0x%08X computed 0x%08X", rpu.rpu_data_crc32, computed));
  }
  return rpu;
}

absl::StatusOr<std::vector<uint8_t>> WriteRpu(const Rpu& rpu) {
  const RpuHeader& h = rpu.header;
  if (!h.use_prev_vdr_rpu_flag && !rpu.mapping) {
    return absl::InvalidArgumentError("RPU: header announces a mapping section, Rpu has none");
  }
  if (h.vdr_dm_metadata_present_flag && !rpu.vdr_dm_data) {
    return absl::InvalidArgumentError("RPU: header announces DM data, Rpu has none");
  }
  bits::BitWriter w;
  w.WriteBits(kRpuNalPrefix, 8);
  WriteRpuHeader(h, w);
  if (!h.use_prev_vdr_rpu_flag) {
    if (absl::Status s = WriteRpuMapping(*rpu.mapping, h, w); !s.ok()) return s;
  }
  if (h.vdr_dm_metadata_present_flag) {
    if (absl::Status s = WriteVdrDmData(*rpu.vdr_dm_data, w); !s.ok()) return s;
  }
  w.AlignWithZeros();
  std::vector<uint8_t> body = w.Take();
  body.insert(body.end(), rpu.remaining.begin(), rpu.remaining.end());
  const uint32_t crc = Crc32Mpeg2(absl::MakeConstSpan(body).subspan(1));
  body.push_back(static_cast<uint8_t>(crc >> 24));
  body.push_back(static_cast<uint8_t>(crc >> 16));
  body.push_back(static_cast<uint8_t>(crc >> 8));
  body.push_back(static_cast<uint8_t>(crc));
  body.push_back(kRpuFinalByte);
  body.resize(body.size() + rpu.trailing_zero_bytes, 0);
  return bits::AddEmulationPrevention(body);
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
