// Builds per-frame RPUs from the embedded templates with helper functions of the RPU core.
#include "common/media/sample_rpus.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/dovi/rpu.h"
#include "common/dovi/rpu_file.h"
#include "common/media/rpu_templates.h"

namespace mkvfleet::media {

dovi::DmLevel1 SampleLevel1(int frame) {
  dovi::DmLevel1 l1;
  l1.min_pq = static_cast<uint16_t>(frame % 16);
  l1.avg_pq = static_cast<uint16_t>(1200 + (frame * 17) % 800);
  l1.max_pq = static_cast<uint16_t>(2500 + (frame * 29) % 1100);
  return l1;
}

absl::StatusOr<std::vector<uint8_t>> BuildSampleRpuFile(SampleKind kind, int frames) {
  absl::Span<const uint8_t> file;
  switch (kind) {
    case SampleKind::kP7Mel: file = MelRpuTemplate(); break;
    case SampleKind::kP7Fel: file = FelRpuTemplate(); break;
    case SampleKind::kP81: file = Profile81RpuTemplate(); break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("sample kind ", SampleKindName(kind), " has no Dolby Vision RPUs"));
  }
  absl::StatusOr<std::vector<absl::Span<const uint8_t>>> payloads = dovi::ParseRpuFile(file);
  if (!payloads.ok()) return payloads.status();
  if (payloads->size() != 1) {
    return absl::InternalError("RPU template must hold exactly one RPU");
  }
  absl::StatusOr<dovi::Rpu> rpu = dovi::ParseRpu(payloads->front());
  if (!rpu.ok()) return rpu.status();
  if (!rpu->vdr_dm_data) return absl::InternalError("RPU template has no DM data");

  std::vector<uint8_t> out;
  for (int f = 0; f < frames; ++f) {
    dovi::DmLevel1 l1 = SampleLevel1(f);
    rpu->vdr_dm_data->SetLevel1(l1.min_pq, l1.max_pq, l1.avg_pq);
    absl::StatusOr<std::vector<uint8_t>> payload = dovi::WriteRpu(*rpu);
    if (!payload.ok()) return payload.status();
    dovi::AppendRpuToFile(out, *payload);
  }
  return out;
}

}  // namespace mkvfleet::media
