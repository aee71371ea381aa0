// The leaky-bucket simulation of vbv_sim.h, in bits as doubles (exact for any realistic size).
#include "common/chunk/vbv_sim.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mkvfleet::chunk {

absl::StatusOr<VbvResult> SimulateVbv(absl::Span<const uint64_t> au_bytes, const VbvModel& model) {
  if (model.maxrate_kbps < 1 || model.bufsize_kbps < 1 || model.fps_num < 1 || model.fps_den < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("VBV simulation needs positive maxrate, bufsize and frame rate, got maxrate ",
                     model.maxrate_kbps, " kbps, bufsize ", model.bufsize_kbps, " kbit, ",
                     model.fps_num, "/", model.fps_den, " fps"));
  }
  if (!(model.init_fullness > 0 && model.init_fullness <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("VBV initial fullness must be in (0, 1], got ", model.init_fullness));
  }
  const double size = 1000.0 * static_cast<double>(model.bufsize_kbps);
  const double fill = 1000.0 * static_cast<double>(model.maxrate_kbps) *
                      static_cast<double>(model.fps_den) / static_cast<double>(model.fps_num);
  double bits = model.init_fullness * size;
  VbvResult result;
  result.min_fullness = model.init_fullness;
  for (size_t i = 0; i < au_bytes.size(); ++i) {
    if (i > 0) bits = std::min(size, bits + fill);
    bits -= 8.0 * static_cast<double>(au_bytes[i]);
    if (bits < 0) {
      if (result.underflows++ == 0) result.first_underflow = static_cast<int64_t>(i);
    }
    result.min_fullness = std::min(result.min_fullness, bits / size);
  }
  return result;
}

}  // namespace mkvfleet::chunk
