// Enhancement-layer upsampling: a profile 7 EL is either the BL's size or half of it in each
// direction (UHD Blu-ray: BL 3840x2160, EL 1920x1080). A half-size plane is brought to the BL
// size with the filters of ETSI GS CCM 001 Annex B as transcribed in DoViBaker (PR #2, kept in
// comments in include/DoViProcessor.h); Dolby's reference filter could not be verified.
#pragma once

#include "absl/status/statusor.h"
#include "common/dovi/compose/planes.h"

namespace mkvfleet::dovi::compose {

// Which filter set a plane gets: the vertical filter differs between luma and chroma.
enum class PlaneKind {
  kLuma,    // vertical: 4 taps, quarter phase (-3, 29, 111, -9)/128 and mirrored
  kChroma,  // vertical: 2 taps, quarter phase (1, 3)/4 and (3, 1)/4
};

// Upsamples `in` to out_width x out_height. Per axis the output is either the input size (the
// axis is copied) or twice it, possibly minus one for an odd target (out = 2 * in or
// 2 * in - 1). Separable: the vertical pass first, rounded to integer samples and clipped to
// [0, max_value], then the horizontal pass: even outputs copy input n, odd outputs take the
// 8-tap half-phase (22, 94, -524, 2456, 2456, -524, 94, 22)/4096 over inputs n-3 .. n+4.
// Vertical, output 2n uses inputs n-2 .. n+1 (luma) or n-1, n (chroma), output 2n+1 the mirror.
// Indices outside the plane are clamped to the edge (replication). Samples are EL codes, so the
// result is rounded (half up) and clipped to [0, max_value].
// Errors: InvalidArgument when a ratio is neither 1 nor 2 or `in` is empty.
absl::StatusOr<Plane16> UpsampleElPlane(const Plane16& in, PlaneKind kind, int out_width,
                                        int out_height, int max_value);

}  // namespace mkvfleet::dovi::compose
