// Pipeline lookup by name.
#include "agent/pipelines/pipelines.h"

#include "absl/strings/str_cat.h"

namespace mkvfleet::agent {

absl::StatusOr<std::unique_ptr<Pipeline>> MakePipeline(const std::string& name,
                                                       const PipelineOptions& options) {
  if (name == "placeholder") return MakePlaceholderPipeline();
  if (name == "test-sleep") return MakeTestSleepPipeline(options.test_step_duration);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown pipeline \"", name, "\": use placeholder or test-sleep"));
}

}  // namespace mkvfleet::agent
