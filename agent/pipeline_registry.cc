// Pipeline lookup by name.
#include "agent/pipeline_registry.h"

#include "absl/strings/str_cat.h"
#include "agent/media/media_pipeline.h"

namespace mkvfleet::agent {

absl::StatusOr<std::unique_ptr<Pipeline>> MakePipeline(const std::string& name,
                                                       const PipelineOptions& options) {
  if (name == "placeholder") return MakePlaceholderPipeline();
  if (name == "test-sleep") return MakeTestSleepPipeline(options.test_step_duration);
  if (name == "media") return media::MakeMediaPipelineFromConfig(options.layers);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown pipeline \"", name, "\": use media, placeholder or test-sleep"));
}

}  // namespace mkvfleet::agent
