// CallBackoff delays (see the header).
#include "agent/call_backoff.h"

#include <algorithm>
#include <memory>
#include <random>

namespace mkvfleet::agent {

CallBackoff::CallBackoff(absl::Duration initial, absl::Duration max, double multiplier,
                         double jitter,
                 UniformSource uniform)
    : initial_(initial), max_(max), multiplier_(multiplier), jitter_(jitter),
      uniform_(std::move(uniform)) {
  if (!uniform_) {
    uniform_ = [engine = std::make_shared<std::mt19937_64>(std::random_device{}())]() {
      return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
  }
}

absl::Duration CallBackoff::Next() {
  absl::Duration d = initial_;
  for (int i = 0; i < attempt_ && d < max_; ++i) d = d * multiplier_;
  d = std::min(d, max_);
  ++attempt_;
  return d * (1.0 - jitter_ * uniform_());
}

}  // namespace mkvfleet::agent
