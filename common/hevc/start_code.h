// How NALs are framed when writing Annex B: the start code size per NAL for each output style.
// The "Annex B" style reproduces the reference tool's output byte for byte.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace mkvfleet::hevc {

enum class StartCodeStyle {
  kFourByte,  // 00 00 00 01 before every NAL
  // 00 00 00 01 before parameter sets, AUDs, RPUs (62) and the first NAL of an access unit;
  // 00 00 01 before everything else (slices, SEI, EOS, wrapped EL NALs).
  kAnnexB,
};

// Start code size (3 or 4) for a NAL of this type under `style`.
inline int StartCodeSize(uint8_t nal_unit_type, bool first_in_access_unit, StartCodeStyle style) {
  if (style == StartCodeStyle::kFourByte || first_in_access_unit) return 4;
  switch (nal_unit_type) {
    case 32:
    case 33:
    case 34:
    case 35:
    case 62:  // VPS SPS PPS AUD RPU
      return 4;
    default:
      return 3;
  }
}

// Appends a start code of `size` (3 or 4) bytes.
inline void AppendStartCode(int size, std::vector<uint8_t>& out) {
  if (size == 4) out.push_back(0);
  out.insert(out.end(), {0, 0, 1});
}

}  // namespace mkvfleet::hevc
