// The leaky-bucket VBV model on hand-computed numbers: 10 fps, 80 kbps = 1000 bytes per frame
// interval, buffer 40 kbit = 5000 bytes.
#include "common/chunk/vbv_sim.h"

#include <catch2/catch.hpp>
#include <vector>

namespace mkvfleet::chunk {
namespace {

VbvModel Model(double init) { return VbvModel{80, 40, 10, 1, init}; }

VbvResult Simulate(const std::vector<uint64_t>& sizes, const VbvModel& model) {
  auto result = SimulateVbv(sizes, model);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return *result;
}

TEST_CASE("VBV: fullness after each access unit, underflows counted", "[chunk][vbv]") {
  // Start 2500 bytes. -2000 = 500 (0.1); +1000 -1500 = 0 (0.0, not an underflow);
  // +1000 -500 = 500; +1000 -4000 = -2500 (-0.5, underflow at 3); +1000 -1000 = -2500 (again).
  const VbvResult r = Simulate({2000, 1500, 500, 4000, 1000}, Model(0.5));
  CHECK(r.underflows == 2);
  CHECK(r.first_underflow == 3);
  CHECK(r.min_fullness == Approx(-0.5));
}

TEST_CASE("VBV: the buffer fills up to its size and no further", "[chunk][vbv]") {
  // Start 4500; ten empty AUs fill it to 5000 (capped, not 13500), so 5000 bytes empty it
  // exactly and 5001 bytes underflow by one byte.
  std::vector<uint64_t> sizes(10, 0);
  sizes.push_back(5000);
  VbvResult r = Simulate(sizes, Model(0.9));
  CHECK(r.underflows == 0);
  CHECK(r.first_underflow == -1);
  CHECK(r.min_fullness == Approx(0.0));
  sizes.back() = 5001;
  r = Simulate(sizes, Model(0.9));
  CHECK(r.underflows == 1);
  CHECK(r.first_underflow == 10);
  CHECK(r.min_fullness == Approx(-1.0 / 5000));
}

TEST_CASE("VBV: steady state at the fill rate, and at the frame rate's fraction", "[chunk][vbv]") {
  // 1000 bytes per AU at 1000 bytes per interval: fullness stays at 0.9 - 0.2 = 0.7.
  VbvResult r = Simulate(std::vector<uint64_t>(100, 1000), Model(0.9));
  CHECK(r.underflows == 0);
  CHECK(r.min_fullness == Approx(0.7));
  // 24000/1001 fps, 4000 kbps: 166833.3 bits per interval = 20854.2 bytes. 21000-byte AUs
  // lose 145.8 bytes each against a 500000-byte buffer (4000 kbit): 0.9 * 500000 - 21000 =
  // 429000 after the first, then -145.83 per AU: 429000 - 99 * 145.8333 = 414562.5 -> 0.829125.
  r = Simulate(std::vector<uint64_t>(100, 21000), VbvModel{4000, 4000, 24000, 1001, 0.9});
  CHECK(r.underflows == 0);
  CHECK(r.min_fullness == Approx(0.829125));
  // No access units: the initial fullness.
  r = Simulate({}, Model(0.75));
  CHECK(r.min_fullness == 0.75);
  CHECK(r.first_underflow == -1);
}

TEST_CASE("VBV: refusals", "[chunk][vbv]") {
  for (VbvModel m : {VbvModel{0, 40, 10, 1, 0.9}, VbvModel{80, 0, 10, 1, 0.9},
                     VbvModel{80, 40, 0, 1, 0.9}, VbvModel{80, 40, 10, 0, 0.9}}) {
    CHECK(SimulateVbv({}, m).status().code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(SimulateVbv({}, Model(0)).status() ==
        absl::InvalidArgumentError("VBV initial fullness must be in (0, 1], got 0"));
  CHECK(SimulateVbv({}, Model(1.5)).status() ==
        absl::InvalidArgumentError("VBV initial fullness must be in (0, 1], got 1.5"));
  CHECK(SimulateVbv({}, VbvModel{0, 40, 10, 1, 0.9}).status().message() ==
        "VBV simulation needs positive maxrate, bufsize and frame rate, got maxrate 0 kbps, "
        "bufsize 40 kbit, 10/1 fps");
}

}  // namespace
}  // namespace mkvfleet::chunk
