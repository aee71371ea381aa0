// Prometheus registry and text renderer; see registry.h.
#include "common/metrics/registry.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mkvfleet::metrics {

void Counter::Increment(double by) {
  if (by < 0 || std::isnan(by)) return;
  value_.fetch_add(by, std::memory_order_relaxed);
}

void Gauge::Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), counts_(upper_bounds_.size() + 1, 0) {}

void Histogram::Observe(double v) {
  const size_t bucket =
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v) - upper_bounds_.begin();
  absl::MutexLock lock(&mu_);
  ++counts_[bucket];
  sum_ += v;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = upper_bounds_;
  absl::MutexLock lock(&mu_);
  uint64_t running = 0;
  for (uint64_t c : counts_) {
    running += c;
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_;
  return s;
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return absl::StrFormat("%.0f", v);
  return absl::StrFormat("%.17g", v);
}

namespace {

// `{a="x",b="y"}` (with an optional extra label, e.g. le), or "" for no labels.
std::string LabelText(const Labels& labels, const std::pair<std::string, std::string>* extra) {
  if (labels.empty() && extra == nullptr) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::pair<std::string, std::string>& kv) {
    if (!first) out += ",";
    first = false;
    absl::StrAppend(&out, kv.first, "=\"", EscapeLabelValue(kv.second), "\"");
  };
  for (const auto& kv : labels) add(kv);
  if (extra != nullptr) add(*extra);
  out += "}";
  return out;
}

std::string HelpText(absl::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Registry::Family* Registry::FamilyFor(absl::string_view name, absl::string_view help, Kind kind,
                                      const std::vector<double>& bounds) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{kind, std::string(help), bounds, {}, {}, {}})
             .first;
  }
  Family& f = it->second;
  if (f.kind != kind || (kind == Kind::kHistogram && f.bounds != bounds)) return nullptr;
  return &f;
}

Counter& Registry::GetCounter(absl::string_view name, absl::string_view help,
                              const Labels& labels) {
  absl::MutexLock lock(&mu_);
  Family* f = FamilyFor(name, help, Kind::kCounter, {});
  if (f == nullptr) return dummy_counter_;
  auto& slot = f->counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::GetGauge(absl::string_view name, absl::string_view help, const Labels& labels) {
  absl::MutexLock lock(&mu_);
  Family* f = FamilyFor(name, help, Kind::kGauge, {});
  if (f == nullptr) return dummy_gauge_;
  auto& slot = f->gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::GetHistogram(absl::string_view name, absl::string_view help,
                                  const std::vector<double>& upper_bounds, const Labels& labels) {
  absl::MutexLock lock(&mu_);
  Family* f = FamilyFor(name, help, Kind::kHistogram, upper_bounds);
  if (f == nullptr) return dummy_histogram_;
  auto& slot = f->histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(upper_bounds);
  return *slot;
}

void Registry::ClearGauges(absl::string_view name) {
  absl::MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.gauges.clear();
}

std::string Registry::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.kind == Kind::kCounter ? "counter"
                       : f.kind == Kind::kGauge ? "gauge"
                                                : "histogram";
    absl::StrAppend(&out, "# HELP ", name, " ", HelpText(f.help), "\n# TYPE ", name, " ", type,
                    "\n");
    for (const auto& [labels, c] : f.counters) {
      absl::StrAppend(&out, name, LabelText(labels, nullptr), " ", FormatValue(c->value()), "\n");
    }
    for (const auto& [labels, g] : f.gauges) {
      absl::StrAppend(&out, name, LabelText(labels, nullptr), " ", FormatValue(g->value()), "\n");
    }
    for (const auto& [labels, h] : f.histograms) {
      const Histogram::Snapshot s = h->snapshot();
      for (size_t i = 0; i <= s.upper_bounds.size(); ++i) {
        const std::pair<std::string, std::string> le{
            "le", i < s.upper_bounds.size() ? FormatValue(s.upper_bounds[i]) : "+Inf"};
        absl::StrAppend(&out, name, "_bucket", LabelText(labels, &le), " ", s.cumulative[i], "\n");
      }
      absl::StrAppend(&out, name, "_sum", LabelText(labels, nullptr), " ", FormatValue(s.sum),
                      "\n");
      absl::StrAppend(&out, name, "_count", LabelText(labels, nullptr), " ", s.count, "\n");
    }
  }
  return out;
}

}  // namespace mkvfleet::metrics
