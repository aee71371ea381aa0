// SMPTE ST 2084 (PQ): 12-bit code values as Dolby Vision L1 metadata stores them <-> nits. Plots
// put their brightness axis on the PQ scale, as the eye and the metadata do.
#pragma once

namespace mkvfleet::plot {

// The largest 12-bit PQ code value (10,000 nits).
inline constexpr int kMaxPqCode = 4095;

// Luminance in cd/m² (nits) of a 12-bit PQ code value; codes are clamped to [0, 4095].
double PqCodeToNits(double code);

// The 12-bit PQ code value (not rounded) of a luminance in nits; clamped to [0, 10000] nits.
double NitsToPqCode(double nits);

}  // namespace mkvfleet::plot
