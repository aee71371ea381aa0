// Prometheus registry: series identity, histogram buckets and the exact text format.
#include <catch2/catch.hpp>
#include <cmath>

#include "common/metrics/registry.h"

namespace mkvfleet::metrics {
namespace {

TEST_CASE("counters and gauges render with HELP, TYPE and escaped labels") {
  Registry r;
  r.GetCounter("mkvfleet_retries_total", "Jobs retried").Increment();
  r.GetCounter("mkvfleet_retries_total", "Jobs retried").Increment(2);
  r.GetCounter("mkvfleet_retries_total", "ignored").Increment(-5);  // counters never go down
  r.GetGauge("mkvfleet_jobs", "Jobs by state", {{"state", "pending"}}).Set(3);
  r.GetGauge("mkvfleet_jobs", "Jobs by state", {{"state", "running"}}).Set(0);
  r.GetGauge("mkvfleet_agent_fps", "fps", {{"agent", "vm \"1\"\\x\n"}}).Set(23.5);

  CHECK(r.Render() ==
        "# HELP mkvfleet_agent_fps fps\n"
        "# TYPE mkvfleet_agent_fps gauge\n"
        "mkvfleet_agent_fps{agent=\"vm \\\"1\\\"\\\\x\\n\"} 23.5\n"
        "# HELP mkvfleet_jobs Jobs by state\n"
        "# TYPE mkvfleet_jobs gauge\n"
        "mkvfleet_jobs{state=\"pending\"} 3\n"
        "mkvfleet_jobs{state=\"running\"} 0\n"
        "# HELP mkvfleet_retries_total Jobs retried\n"
        "# TYPE mkvfleet_retries_total counter\n"
        "mkvfleet_retries_total 3\n");
}

TEST_CASE("histograms are cumulative with a +Inf bucket, sum and count") {
  Registry r;
  Histogram& h = r.GetHistogram("step_seconds", "Step durations", {1, 10}, {{"step", "encode"}});
  h.Observe(0.5);
  h.Observe(1);  // le is inclusive
  h.Observe(5);
  h.Observe(100);
  CHECK(r.Render() ==
        "# HELP step_seconds Step durations\n"
        "# TYPE step_seconds histogram\n"
        "step_seconds_bucket{step=\"encode\",le=\"1\"} 2\n"
        "step_seconds_bucket{step=\"encode\",le=\"10\"} 3\n"
        "step_seconds_bucket{step=\"encode\",le=\"+Inf\"} 4\n"
        "step_seconds_sum{step=\"encode\"} 106.5\n"
        "step_seconds_count{step=\"encode\"} 4\n");
}

TEST_CASE("a name reused with another kind gets a detached series, not a crash") {
  Registry r;
  r.GetCounter("x", "a counter").Increment();
  r.GetGauge("x", "now a gauge").Set(7);
  r.GetHistogram("h", "", {1}).Observe(0);
  r.GetHistogram("h", "", {2}).Observe(0);  // other buckets: detached
  const std::string text = r.Render();
  CHECK(text.find("x 1\n") != std::string::npos);
  CHECK(text.find("x 7") == std::string::npos);
  CHECK(text.find("h_count 1\n") != std::string::npos);
}

TEST_CASE("ClearGauges forgets series that no longer exist") {
  Registry r;
  r.GetGauge("fps", "", {{"agent", "gone"}}).Set(1);
  r.ClearGauges("fps");
  r.GetGauge("fps", "", {{"agent", "here"}}).Set(2);
  const std::string text = r.Render();
  CHECK(text.find("gone") == std::string::npos);
  CHECK(text.find("fps{agent=\"here\"} 2\n") != std::string::npos);
}

TEST_CASE("values are formatted as Prometheus spells them") {
  CHECK(FormatValue(42) == "42");
  CHECK(FormatValue(0.25) == "0.25");
  CHECK(FormatValue(INFINITY) == "+Inf");
  CHECK(FormatValue(-INFINITY) == "-Inf");
  CHECK(FormatValue(NAN) == "NaN");
}

}  // namespace
}  // namespace mkvfleet::metrics
