// ST 2084 against values computed from the standard's formula by hand (12-bit codes).
#include <catch2/catch.hpp>

#include "common/plot/pq_scale.h"

namespace mkvfleet::plot {
namespace {

TEST_CASE("PQ code values and nits, both ways") {
  CHECK(PqCodeToNits(0) == Approx(0).margin(1e-9));
  CHECK(PqCodeToNits(4095) == Approx(10000));
  // PQ(100 nits) = 0.50808, PQ(1000 nits) = 0.75183: times 4095.
  CHECK(NitsToPqCode(100) == Approx(0.50808 * 4095).epsilon(1e-4));
  CHECK(NitsToPqCode(1000) == Approx(0.75183 * 4095).epsilon(1e-4));
  CHECK(PqCodeToNits(0.50808 * 4095) == Approx(100).epsilon(1e-3));
  for (double nits : {0.005, 0.1, 1.0, 48.0, 203.0, 4000.0}) {
    CHECK(PqCodeToNits(NitsToPqCode(nits)) == Approx(nits).epsilon(1e-9));
  }
  CHECK(PqCodeToNits(-5) == Approx(0).margin(1e-9));  // clamped
  CHECK(PqCodeToNits(9999) == Approx(10000));
  CHECK(NitsToPqCode(20000) == Approx(4095));
}

}  // namespace
}  // namespace mkvfleet::plot
