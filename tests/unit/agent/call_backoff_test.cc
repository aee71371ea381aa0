// Reconnect backoff: exponential growth, cap, jitter range.
#include "agent/call_backoff.h"

#include <catch2/catch.hpp>

namespace mkvfleet::agent {
namespace {

TEST_CASE("backoff doubles up to the cap without jitter at the top of the range") {
  CallBackoff b(absl::Milliseconds(100), absl::Seconds(1), 2.0, 0.5, [] { return 0.0; });
  CHECK(b.Next() == absl::Milliseconds(100));
  CHECK(b.Next() == absl::Milliseconds(200));
  CHECK(b.Next() == absl::Milliseconds(400));
  CHECK(b.Next() == absl::Milliseconds(800));
  CHECK(b.Next() == absl::Seconds(1));
  CHECK(b.Next() == absl::Seconds(1));
  b.Reset();
  CHECK(b.Next() == absl::Milliseconds(100));
}

TEST_CASE("jitter shortens the delay by at most the jitter fraction") {
  CallBackoff low(absl::Seconds(2), absl::Seconds(10), 2.0, 0.5, [] { return 0.999999; });
  absl::Duration d = low.Next();
  CHECK(d > absl::Milliseconds(999));
  CHECK(d <= absl::Seconds(2));
  CallBackoff real(absl::Seconds(2), absl::Seconds(10));
  for (int i = 0; i < 20; ++i) {
    absl::Duration x = real.Next();
    CHECK(x >= absl::Seconds(1));
    CHECK(x <= absl::Seconds(10));
  }
}

}  // namespace
}  // namespace mkvfleet::agent
