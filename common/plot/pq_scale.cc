// The ST 2084 EOTF and its inverse with the standard's constants.
#include "common/plot/pq_scale.h"

#include <algorithm>
#include <cmath>

namespace mkvfleet::plot {
namespace {

constexpr double kM1 = 2610.0 / 16384.0;
constexpr double kM2 = 2523.0 / 4096.0 * 128.0;
constexpr double kC1 = 3424.0 / 4096.0;
constexpr double kC2 = 2413.0 / 4096.0 * 32.0;
constexpr double kC3 = 2392.0 / 4096.0 * 32.0;

}  // namespace

double PqCodeToNits(double code) {
  const double n = std::clamp(code, 0.0, double{kMaxPqCode}) / kMaxPqCode;
  const double p = std::pow(n, 1.0 / kM2);
  const double num = std::max(p - kC1, 0.0);
  return 10000.0 * std::pow(num / (kC2 - kC3 * p), 1.0 / kM1);
}

double NitsToPqCode(double nits) {
  const double y = std::pow(std::clamp(nits, 0.0, 10000.0) / 10000.0, kM1);
  return kMaxPqCode * std::pow((kC1 + kC2 * y) / (1.0 + kC3 * y), kM2);
}

}  // namespace mkvfleet::plot
