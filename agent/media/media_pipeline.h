// The media pipeline: probe -> plan -> rpu -> encode -> mux -> verify -> publish, the same step
// names for every plan. probe, plan, verify and publish are shared by all plans; rpu, encode and
// mux are looked up per plan, so a plan is added by plugging in its Steps (PlanSteps). dv-convert
// is built in: its rpu and encode steps do nothing (the RPU conversion and EL drop happen inside
// its single-pass mux), and its mux streams the source through libav::Remux.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/media/media_settings.h"
#include "agent/media/output_steps.h"
#include "agent/pipeline.h"

namespace mkvfleet::agent::media {

// The plan-specific steps. A null step means "nothing to do for this plan" (recorded as done with
// a note). A mux step must record the built output as artifact step_support.h kArtifactOutput
// (a hidden part file in the destination folder, publish::PartPathFor) and facts
// kFactSourceFrames / kFactOutputBytes; verify and publish take it from there.
struct PlanSteps {
  std::unique_ptr<Step> rpu;
  std::unique_ptr<Step> encode;
  std::unique_ptr<Step> mux;
  // Run by the shared verify step after its own rules passed (e.g. the re-encodes' sampled
  // SSIM); null = none. See VerifyExtraCheck in output_steps.h.
  VerifyExtraCheck verify_extra;
};

// Builds the pipeline. `extra_plans` adds or replaces plans by name ("dv-reencode", "standard");
// a plan chosen at run time without steps fails its first plan step permanently (Unimplemented).
std::unique_ptr<Pipeline> MakeMediaPipeline(MediaSettings settings,
                                            std::map<std::string, PlanSteps> extra_plans = {});

}  // namespace mkvfleet::agent::media

namespace mkvfleet::config {
class ConfigLayers;
}

namespace mkvfleet::agent::media {

// The pipeline with settings read from the agent's config ([media] table, [tools]); defaults
// when `layers` is null. Errors: those of LoadMediaSettings.
absl::StatusOr<std::unique_ptr<Pipeline>> MakeMediaPipelineFromConfig(
    const config::ConfigLayers* layers);

}  // namespace mkvfleet::agent::media
