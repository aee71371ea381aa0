// (1, 2, 1) horizontal, (1, 1) vertical luma decimation for the MMR input.
#include "common/dovi/compose/luma_for_chroma.h"

#include <algorithm>

namespace mkvfleet::dovi::compose {

void LumaForChromaRow(const Plane16& luma, int chroma_row, uint16_t* out) {
  const int w = luma.width;
  const uint16_t* r0 = luma.row(std::min(2 * chroma_row, luma.height - 1));
  const uint16_t* r1 = luma.row(std::min(2 * chroma_row + 1, luma.height - 1));
  const int cw = ChromaSize(w);
  for (int cx = 0; cx < cw; ++cx) {
    const int x = 2 * cx;
    const int left = std::max(x - 1, 0);
    const int right = std::min(x + 1, w - 1);
    const int h0 = (r0[left] + 2 * r0[x] + r0[right] + 2) >> 2;
    const int h1 = (r1[left] + 2 * r1[x] + r1[right] + 2) >> 2;
    out[cx] = static_cast<uint16_t>((h0 + h1 + 1) >> 1);
  }
}

}  // namespace mkvfleet::dovi::compose
