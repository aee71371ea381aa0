// A leaky-bucket VBV model over a joined stream: each chunk passes VBV on its own, but the buffer
// at a join is whatever the previous chunk left, so only a simulation over the whole join shows
// underflows (chunking.md §5: 98 underflows without vbv-end/vbv-init, 0 with them).
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::chunk {

struct VbvModel {
  int64_t maxrate_kbps = 0;  // fill rate, 1 kbps = 1000 bits/s (x265's unit)
  int64_t bufsize_kbps = 0;  // buffer size, in kbit
  int64_t fps_num = 0;
  int64_t fps_den = 0;
  double init_fullness = 0.9;  // x265's default --vbv-init
};

struct VbvResult {
  int64_t underflows = 0;        // access units that took the buffer below 0
  int64_t first_underflow = -1;  // decode index of the first of them, -1 if none
  double min_fullness = 0;       // lowest fullness after removing an AU (negative = underflow)
};

// Simulates the decoder buffer over access-unit sizes in decode order (bytes):
//   fullness starts at init_fullness * bufsize; AU i removes 8 * au_bytes[i] bits at once; between
//   AU i and AU i+1 the buffer gains maxrate / fps bits, capped at bufsize (a full buffer stops
//   filling: VBR). After an underflow the deficit carries on (it is not reset), so the depth of
//   an underflow shows in min_fullness. With no AUs, min_fullness = init_fullness.
// Errors: InvalidArgument when maxrate, bufsize, fps_num or fps_den < 1 or init_fullness is not in
// (0, 1].
absl::StatusOr<VbvResult> SimulateVbv(absl::Span<const uint64_t> au_bytes, const VbvModel& model);

}  // namespace mkvfleet::chunk
