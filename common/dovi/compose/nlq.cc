// The dead-zone formula and its table.
#include "common/dovi/compose/nlq.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace mkvfleet::dovi::compose {

double NlqResidual(const DecodedNlq& nlq, int el) {
  const int d = el - nlq.offset;
  if (d == 0) return 0;
  const double sign = d < 0 ? -1.0 : 1.0;
  const double r = sign * ((std::abs(d) - 0.5) * nlq.slope + nlq.threshold);
  const double max = std::max(nlq.vdr_in_max, 0.0);  // a float-coded R could be negative
  return std::clamp(r, -max, max);
}

std::vector<int32_t> BuildResidualTable(const DecodedNlq& nlq, int el_bits) {
  std::vector<int32_t> table(size_t{1} << el_bits);
  for (int el = 0; el < static_cast<int>(table.size()); ++el) {
    // |r| <= vdr_in_max; clamp to +-2 (two full signal ranges) so the int never overflows.
    const double r = std::clamp(NlqResidual(nlq, el), -2.0, 2.0);
    table[el] = static_cast<int32_t>(std::floor(r * 65536.0));
  }
  return table;
}

}  // namespace mkvfleet::dovi::compose
