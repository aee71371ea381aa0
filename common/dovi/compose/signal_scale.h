// The composer's common scale: mapped values and residuals are held as integers in units of
// 2^-16 of the normalised VDR signal (1.0 == 2^vdr_bit_depth codes), and the output sample is
// their sum rounded to vdr_bit_depth bits. This is DoViBaker's integer pipeline
// (DoViProcessor::polynompialMapping / mmrMapping return floor(2^16 v) clipped to 16 bits,
// signalReconstruction rounds v + r), which makes an identity curve give VDR = BL << 2 exactly.
#pragma once

#include <algorithm>
#include <cstdint>

namespace mkvfleet::dovi::compose {

// floor(2^16 * v) clipped to [0, 65535]: a mapped value (negative and NaN give 0).
// Branch-free so that row loops vectorise: truncation equals floor once clamped to >= 0.
inline int32_t ToV16(double v) {
  double s = v * 65536.0;
  s = s > 0 ? s : 0;  // also maps NaN to 0
  s = s < 65535.0 ? s : 65535.0;
  return static_cast<int32_t>(s);
}

// The output sample of `vdr_bits` bits for a mapped value v16 plus a residual r16 (both at 2^16
// scale): round half up, then clip to [0, 2^vdr_bits - 1]. REQUIRES: 8 <= vdr_bits <= 16.
inline uint16_t ReconstructSample(int32_t v16, int32_t r16, int vdr_bits) {
  const int shift = 16 - vdr_bits;
  const int32_t round = shift > 0 ? (1 << (shift - 1)) : 0;
  const int32_t h = (v16 + r16 + round) >> shift;
  return static_cast<uint16_t>(std::clamp<int32_t>(h, 0, (1 << vdr_bits) - 1));
}

}  // namespace mkvfleet::dovi::compose
