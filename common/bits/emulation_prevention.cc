// Emulation-prevention byte removal and insertion.
#include "common/bits/emulation_prevention.h"

namespace mkvfleet::bits {

std::vector<uint8_t> RemoveEmulationPrevention(absl::Span<const uint8_t> escaped) {
  std::vector<uint8_t> out;
  out.reserve(escaped.size());
  int zeros = 0;
  for (uint8_t b : escaped) {
    if (zeros >= 2 && b == 0x03) {
      zeros = 0;
      continue;
    }
    out.push_back(b);
    zeros = (b == 0) ? zeros + 1 : 0;
  }
  return out;
}

std::vector<uint8_t> AddEmulationPrevention(absl::Span<const uint8_t> rbsp) {
  std::vector<uint8_t> out;
  out.reserve(rbsp.size() + rbsp.size() / 64 + 4);
  int zeros = 0;
  for (uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 0x03) {
      out.push_back(0x03);
      zeros = 0;
    }
    out.push_back(b);
    zeros = (b == 0) ? zeros + 1 : 0;
  }
  return out;
}

}  // namespace mkvfleet::bits
