// The luma sample an MMR chroma evaluation takes at 4:2:0: the BL luma brought down to one
// value per chroma sample. DoViBaker (DoViBaker::applyDovi) filters each of the two luma rows
// of the chroma sample with (1, 2, 1)/4 centred on luma column 2x and averages the two rows,
// i.e. horizontally co-sited and vertically centred, as 4:2:0 "left" siting. Dolby's reference
// decimation is not public; this follows DoViBaker's arithmetic and rounding.
#pragma once

#include <cstdint>

#include "common/dovi/compose/planes.h"

namespace mkvfleet::dovi::compose {

// Fills out[0 .. ChromaSize(luma.width) - 1] with the luma for chroma row `chroma_row`:
// h(r, x) = (Y[r][x-1] + 2 Y[r][x] + Y[r][x+1] + 2) >> 2 at x = 2 * cx (columns clamped to the
// plane), then (h(2 cy) + h(2 cy + 1) + 1) >> 1 (row 2 cy + 1 clamped to the last row).
// REQUIRES: 0 <= chroma_row < ChromaSize(luma.height); `out` has room for the row.
void LumaForChromaRow(const Plane16& luma, int chroma_row, uint16_t* out);

}  // namespace mkvfleet::dovi::compose
