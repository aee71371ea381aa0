// HEVC NAL unit header (H.265 7.3.1.2), the type numbers our stream operations care about, and
// small predicates over them. Every other file in common/hevc and common/dvstream builds on these.
#pragma once

#include <array>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mkvfleet::hevc {

// nal_unit_type values (H.265 Table 7-1) plus the two Dolby Vision uses of the unspecified range.
enum NalType : uint8_t {
  kTrailN = 0,
  kTrailR = 1,
  kRaslR = 9,
  kBlaWLp = 16,
  kIdrWRadl = 19,
  kIdrNLp = 20,
  kCraNut = 21,
  kVps = 32,
  kSps = 33,
  kPps = 34,
  kAud = 35,
  kEos = 36,
  kEob = 37,
  kFd = 38,
  kSeiPrefix = 39,
  kSeiSuffix = 40,
  kUnspec62 = 62,  // Dolby Vision RPU
  kUnspec63 = 63,  // Dolby Vision enhancement-layer NAL, wrapped whole
};

// The two-byte NAL header. temporal_id is nuh_temporal_id_plus1 - 1.
struct NalHeader {
  uint8_t nal_unit_type = 0;
  uint8_t nuh_layer_id = 0;
  uint8_t temporal_id = 0;
};

// Parses the first two bytes of a NAL (without start code or length prefix).
// Errors: InvalidArgument if fewer than 2 bytes, forbidden_zero_bit set, or
// nuh_temporal_id_plus1 == 0.
absl::StatusOr<NalHeader> ParseNalHeader(absl::Span<const uint8_t> nal);

// nal_unit_type from the first byte; REQUIRES: !nal.empty().
inline uint8_t NalTypeOf(absl::Span<const uint8_t> nal) { return (nal[0] >> 1) & 0x3F; }

// A short name for a type ("VPS", "SEI_PREFIX", "UNSPEC62", "IDR_N_LP", ...); "RSV_<n>" for
// reserved values.
absl::string_view NalTypeName(uint8_t nal_unit_type);

inline bool IsVcl(uint8_t t) { return t < 32; }
// Intra random access point picture (BLA, IDR, CRA, reserved IRAP 22..23).
inline bool IsIrap(uint8_t t) { return t >= 16 && t <= 23; }
inline bool IsIdr(uint8_t t) { return t == kIdrWRadl || t == kIdrNLp; }
inline bool IsBla(uint8_t t) { return t >= 16 && t <= 18; }
// RADL_N/R and RASL_N/R: leading pictures.
inline bool IsLeading(uint8_t t) { return t >= 6 && t <= 9; }
// Sub-layer non-reference picture (TRAIL_N, TSA_N, ... RSV_VCL_N14).
inline bool IsSubLayerNonReference(uint8_t t) { return t <= 14 && t % 2 == 0; }

// True for types that, once the current access unit holds a picture, begin the next access unit
// (H.265 7.4.2.4.4): AUD, VPS, SPS, PPS, prefix SEI and the reserved ranges 41..44 and 48..55.
// Slices begin one through first_slice_segment_in_pic_flag instead (see access_unit.h).
bool StartsAccessUnit(uint8_t nal_unit_type);

// The Dolby Vision enhancement-layer wrapper header: 0x7E 0x01 (type 63, layer 0, tid 0).
inline constexpr uint8_t kElWrapperHeader[2] = {0x7E, 0x01};
// The RPU NAL header: 0x7C 0x01 (type 62).
inline constexpr uint8_t kRpuHeader[2] = {0x7C, 0x01};

// An access unit delimiter NAL (layer 0, temporal id 0) with the given pic_type (0 = I only,
// 1 = P and I, 2 = B, P and I), e.g. 46 01 50 for pic_type 2.
inline std::array<uint8_t, 3> MakeAudNal(uint8_t pic_type) {
  return {0x46, 0x01, static_cast<uint8_t>(((pic_type & 7) << 5) | 0x10)};
}

}  // namespace mkvfleet::hevc
