// Capped, jittered exponential backoff for calls to the coordinator (reconnects, retried reports),
// so a fleet of agents does not hammer a coordinator that is restarting.
#pragma once

#include <cstdint>
#include <functional>

#include "absl/time/time.h"

namespace mkvfleet::agent {

// Delays: initial, initial*multiplier, ... capped at `max`, each scaled by a random factor in
// [1 - jitter, 1]. Not thread-safe.
class CallBackoff {
 public:
  // Returns a uniform double in [0, 1); injected so tests are deterministic.
  using UniformSource = std::function<double()>;

  CallBackoff(absl::Duration initial, absl::Duration max, double multiplier = 2.0,
          double jitter = 0.5, UniformSource uniform = nullptr);

  // The delay to wait before the next attempt; grows after each call.
  absl::Duration Next();
  // Back to `initial` (after a success).
  void Reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  absl::Duration initial_, max_;
  double multiplier_, jitter_;
  UniformSource uniform_;
  int attempt_ = 0;
};

}  // namespace mkvfleet::agent
