// Builds per-frame RPUs from the embedded templates with helper functions of the RPU core.
#include "common/samplegen/sample_rpus.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/dovi/rpu.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/samplegen/rpu_templates.h"
#include "common/status/status_macros.h"

namespace mkvfleet::samplegen {

dovi::DmLevel1 SampleLevel1(int frame) {
  dovi::DmLevel1 l1;
  l1.min_pq = static_cast<uint16_t>(frame % 16);
  l1.avg_pq = static_cast<uint16_t>(1200 + (frame * 17) % 800);
  l1.max_pq = static_cast<uint16_t>(2500 + (frame * 29) % 1100);
  return l1;
}

absl::StatusOr<std::vector<uint8_t>> BuildSampleRpuFile(SampleKind kind, int frames,
                                                        int scene_every) {
  if (scene_every < 0) {
    return absl::InvalidArgumentError(absl::StrCat("scene interval ", scene_every, " is negative"));
  }
  SampleSpec scenes;
  scenes.scene_every = scene_every;
  absl::Span<const uint8_t> file;
  switch (kind) {
    case SampleKind::kP7Mel:
      file = MelRpuTemplate();
      break;
    case SampleKind::kP7Fel:
      file = FelRpuTemplate();
      break;
    case SampleKind::kP81:
      file = Profile81RpuTemplate();
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("sample kind ", SampleKindName(kind), " has no Dolby Vision RPUs"));
  }
  ASSIGN_OR_RETURN(std::vector<absl::Span<const uint8_t>> payloads, dovi::ParseRpuFile(file));
  if (payloads.size() != 1) {
    return absl::InternalError("RPU template must hold exactly one RPU");
  }
  ASSIGN_OR_RETURN(dovi::Rpu rpu, dovi::ParseRpu(payloads.front()));
  if (!rpu.vdr_dm_data) return absl::InternalError("RPU template has no DM data");

  std::vector<uint8_t> out;
  for (int f = 0; f < frames; ++f) {
    dovi::DmLevel1 l1 = SampleLevel1(f);
    rpu.vdr_dm_data->SetLevel1(l1.min_pq, l1.max_pq, l1.avg_pq);
    rpu.vdr_dm_data->scene_refresh_flag = scenes.IsSceneStart(f) ? 1 : 0;
    ASSIGN_OR_RETURN(std::vector<uint8_t> payload, dovi::WriteRpu(rpu));
    dovi::AppendRpuToFile(out, payload);
  }
  return out;
}

}  // namespace mkvfleet::samplegen
