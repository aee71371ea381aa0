// What load_bench prints: per point, one line per RPC kind (count, rate, latency percentiles,
// errors, p50 over the gRPC floor measured in the same run), the coordinator's memory and CPU
// next to the generator's, and the correctness ledger; for a series, the points side by side.
#pragma once

#include <ostream>
#include <vector>

#include "bench/load/load_options.h"
#include "bench/load/load_run.h"

namespace mkvfleet::bench {

// The run's settings, once, before the first point.
void PrintHeader(std::ostream& out, const LoadOptions& options);
void PrintPoint(std::ostream& out, const LoadOptions& options, const PointResult& point);
// The table-size series: p50/p99 per RPC kind per point, each point's ratio to its own floor and
// to the first point, rate and coordinator CPU per call. Nothing for a single point.
void PrintSeries(std::ostream& out, const std::vector<PointResult>& points);

}  // namespace mkvfleet::bench
