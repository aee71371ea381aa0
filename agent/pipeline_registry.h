// The pipelines this agent can run, by name: "media" (agent/media, the default), and for tests
// and trial runs "placeholder" and "test-sleep" (agent/testing).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/pipeline.h"
#include "common/config/config_layers.h"

namespace mkvfleet::agent {

struct PipelineOptions {
  absl::Duration test_step_duration = absl::Milliseconds(300);  // test pipelines only
  const config::ConfigLayers* layers = nullptr;  // "media": its [media] settings; null = defaults
};

// "media" (built from options.layers), "placeholder" or "test-sleep". InvalidArgument naming the
// known names otherwise; "media" also fails with its settings' errors.
absl::StatusOr<std::unique_ptr<Pipeline>> MakePipeline(const std::string& name,
                                                       const PipelineOptions& options);

// Steps "probe" (reads the whole source, records size and sha256 as facts) and "publish" (ends the
// job as skipped, reason "placeholder pipeline: ...", writing nothing). Logs that it is a
// placeholder.
std::unique_ptr<Pipeline> MakePlaceholderPipeline();

// For integration tests: steps "one", "two", "three"; each sleeps `step_duration` (cancellable),
// writes "<work_dir>/<step>.txt" and records it as an agent-local artifact; "three" also writes a
// one-line file at the task's output path and completes the job with it. "two" and "three"
// require the previous step's artifact (a lost artifact is a retryable failure). A source whose
// file name contains "FAILPERM" fails step "two" permanently; "FAILRETRY" fails it retryably.
std::unique_ptr<Pipeline> MakeTestSleepPipeline(absl::Duration step_duration);

}  // namespace mkvfleet::agent
