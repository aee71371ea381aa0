// PlanSteps of dv-reencode and standard (see reencode_steps.h).
#include "absl/strings/str_cat.h"
#include "agent/encode/reencode_steps.h"
#include "agent/media/plan_policy.h"

namespace mkvfleet::agent::encode {

std::map<std::string, media::PlanSteps> MakeReencodePlans(media::SharedSettings settings,
                                                          const ReencodeOptions& options) {
  std::map<std::string, media::PlanSteps> plans;
  media::PlanSteps& dv = plans[media::kPlanDvReencode];
  dv.rpu = MakeRpuStep(settings);
  dv.encode = MakeEncodeStep(settings, options, /*dolby_vision=*/true);
  dv.mux = MakeReencodeMuxStep(settings, options, /*dolby_vision=*/true);
  media::PlanSteps& standard = plans[media::kPlanStandard];
  standard.encode = MakeEncodeStep(settings, options, /*dolby_vision=*/false);
  standard.mux = MakeReencodeMuxStep(settings, options, /*dolby_vision=*/false);
  if (options.check_ssim) {
    dv.verify_extra = MakeSsimCheck(settings, options.ssim);
    standard.verify_extra = MakeSsimCheck(settings, options.ssim);
  }
  return plans;
}

absl::StatusOr<std::map<std::string, media::PlanSteps>> MakeReencodePlansFromSettings(
    const media::MediaSettings& settings) {
  auto it = settings.x265_profiles.find(settings.x265_profile);
  if (it == settings.x265_profiles.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "media.x265_profile = \"", settings.x265_profile, "\" but no [media.x265.",
        settings.x265_profile, "] table is configured"));
  }
  ReencodeOptions options;
  options.profile = it->second;
  options.checkpoint_encoded_video = settings.checkpoint_encoded_video;
  return MakeReencodePlans(std::make_shared<const media::MediaSettings>(settings), options);
}

}  // namespace mkvfleet::agent::encode
