// A tiny Prometheus metrics registry: counters, gauges and histograms with labels, rendered in
// the Prometheus text exposition format (version 0.0.4) for GET /metrics. No dependencies beyond
// Abseil; the coordinator feeds it, the HTTP server renders it.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace mkvfleet::metrics {

// Label name/value pairs of one series, e.g. {{"state", "pending"}}. Order is kept as given.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A value that only goes up (events, bytes). Thread-safe, lock-free.
class Counter {
 public:
  // REQUIRES: by >= 0 (negative increments are ignored, as Prometheus counters never go down).
  void Increment(double by = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down (queue sizes, frames per second). Thread-safe, lock-free.
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double by);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Cumulative buckets of observations (e.g. step durations in seconds). Thread-safe.
class Histogram {
 public:
  // `upper_bounds` ascending; a +Inf bucket is always added.
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> upper_bounds;  // without +Inf
    std::vector<uint64_t> cumulative;  // one per bound, then one for +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double> upper_bounds_;
  mutable absl::Mutex mu_;
  std::vector<uint64_t> counts_ ABSL_GUARDED_BY(mu_);  // per bucket, not cumulative; last = +Inf
  double sum_ ABSL_GUARDED_BY(mu_) = 0;
};

// Named families of series. Get* returns the series for (name, labels), creating it on first use;
// references stay valid for the registry's lifetime. Thread-safe.
// REQUIRES: a name is used with one kind only (and one bucket layout for histograms); a mismatch
// returns a detached dummy series and the family renders unchanged (never crashes the daemon).
class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& GetCounter(absl::string_view name, absl::string_view help, const Labels& labels = {});
  Gauge& GetGauge(absl::string_view name, absl::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(absl::string_view name, absl::string_view help,
                          const std::vector<double>& upper_bounds, const Labels& labels = {});

  // Forgets every series of a gauge family (e.g. per-agent gauges before re-setting the agents
  // that still exist). The family's HELP/TYPE stay. References to dropped series must not be used.
  void ClearGauges(absl::string_view name);

  // Every family in name order, series in label order, as Prometheus text.
  std::string Render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::vector<double> bounds;  // histograms only
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family* FamilyFor(absl::string_view name, absl::string_view help, Kind kind,
                    const std::vector<double>& bounds) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ ABSL_GUARDED_BY(mu_);
  // Where mismatched Get* calls land, so callers always get a usable object.
  Counter dummy_counter_;
  Gauge dummy_gauge_;
  Histogram dummy_histogram_{{}};
};

// Escapes a label value for the text format: backslash, double quote and newline.
std::string EscapeLabelValue(absl::string_view value);
// Formats a sample value: integers without a fraction, "+Inf"/"-Inf"/"NaN" as Prometheus spells
// them.
std::string FormatValue(double v);

}  // namespace mkvfleet::metrics
