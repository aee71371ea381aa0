// Luma change between composed frames with and without the EL.
#include "common/dovi/analyze/el_change.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

#include "common/plot/pq_scale.h"

namespace mkvfleet::dovi::analyze {
namespace {

constexpr int kMaxCode12 = 4095;

// Nits of every 12-bit PQ code, computed once.
const std::array<double, kMaxCode12 + 1>& NitsTable() {
  static const std::array<double, kMaxCode12 + 1> table = [] {
    std::array<double, kMaxCode12 + 1> t{};
    for (int code = 0; code <= kMaxCode12; ++code) t[code] = plot::PqCodeToNits(code);
    return t;
  }();
  return table;
}

double Share(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

double ElChange::changed_share() const { return Share(changed_pixels, pixels); }
double ElChange::visible_share() const { return Share(visible_pixels, pixels); }

void ElChange::Add(const ElChange& other) {
  pixels += other.pixels;
  changed_pixels += other.changed_pixels;
  visible_pixels += other.visible_pixels;
  max_change_12 = std::max(max_change_12, other.max_change_12);
  max_change_nits = std::max(max_change_nits, other.max_change_nits);
}

ElChange MeasureElChange(const compose::Plane16& with_el, const compose::Plane16& without_el) {
  const std::array<double, kMaxCode12 + 1>& nits = NitsTable();
  ElChange change;
  const size_t n = std::min(with_el.samples.size(), without_el.samples.size());
  change.pixels = n;
  for (size_t i = 0; i < n; ++i) {
    const int a = std::min<int>(with_el.samples[i], kMaxCode12);
    const int b = std::min<int>(without_el.samples[i], kMaxCode12);
    const int diff = std::abs(a - b);
    if (diff == 0) continue;
    change.changed_pixels += diff > kChangedThreshold12;
    change.visible_pixels += diff > kVisibleThreshold12;
    change.max_change_12 = std::max(change.max_change_12, diff);
    change.max_change_nits = std::max(change.max_change_nits, std::fabs(nits[a] - nits[b]));
  }
  return change;
}

}  // namespace mkvfleet::dovi::analyze
