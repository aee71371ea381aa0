// How much the enhancement layer changes one composed picture: the luma of the frame composed
// with the EL against the same frame composed from the BL alone (what a profile 8.1 player shows).
// Pure: two 12-bit planes in, counts out.
#pragma once

#include <cstdint>

#include "common/dovi/compose/planes.h"

namespace mkvfleet::dovi::analyze {

// A luma sample counts as changed when it moves by more than one 10-bit code value: 4 codes at the
// composer's 12-bit output (less is the rounding noise of a 10-bit picture).
inline constexpr int kChangedThreshold12 = 4;
// A change is visible when it exceeds 3 of 10 bits (8 10-bit code values = 32 12-bit codes): the
// limit at which DoViBaker's analyser flags an EL as worth keeping.
inline constexpr int kVisibleThreshold12 = 32;

// The EL's effect on luma samples (12-bit PQ codes, full range, as the composer outputs them).
struct ElChange {
  uint64_t pixels = 0;          // luma samples compared
  uint64_t changed_pixels = 0;  // |with - without| > kChangedThreshold12
  uint64_t visible_pixels = 0;  // |with - without| > kVisibleThreshold12
  int max_change_12 = 0;        // largest |with - without| in 12-bit PQ code values
  double max_change_nits = 0;   // largest |nits(with) - nits(without)| (ST 2084)

  // Shares of `pixels` in [0, 1]; 0 when nothing was compared.
  double changed_share() const;
  double visible_share() const;
  // The largest change in 10-bit PQ code values (max_change_12 / 4).
  double max_change_10() const { return max_change_12 / 4.0; }
  // Adds another frame's counts (maxima are maxima).
  void Add(const ElChange& other);
};

// Compares the luma of two composed frames of 12-bit samples (codes above 4095 count as 4095).
// REQUIRES: both planes have the same size.
ElChange MeasureElChange(const compose::Plane16& with_el, const compose::Plane16& without_el);

}  // namespace mkvfleet::dovi::analyze
