// Shared step helpers (see the header).
#include "agent/media/step_support.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace mkvfleet::agent::media {

absl::StatusOr<MediaInfo> ProbedInfo(const StepContext& ctx) {
  absl::StatusOr<std::string> json = EarlierFact(ctx, "probe", kFactMediaInfo);
  if (!json.ok()) return json.status();
  absl::StatusOr<MediaInfo> info = MediaInfoFromJson(*json);
  if (!info.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("probe checkpoint unusable: ", info.status().message()));
  }
  return info;
}

absl::StatusOr<std::string> EarlierFact(const StepContext& ctx, const char* step,
                                        const char* fact) {
  const Checkpoint* cp = ctx.CheckpointOf(step);
  if (cp == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("step ", step, " has no checkpoint"));
  }
  auto it = cp->facts.find(fact);
  if (it == cp->facts.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("step ", step, " did not record ", fact));
  }
  return it->second;
}

std::string DestinationFor(const StepContext& ctx) {
  std::string dest = ctx.output_path();
  if (!dest.empty()) return dest;
  const std::filesystem::path src(ctx.source_path());
  return (src.parent_path() / (src.stem().string() + ".DV81.mkv")).string();
}

absl::StatusOr<std::string> BuiltOutput(const StepContext& ctx) {
  const Checkpoint* cp = ctx.CheckpointOf("mux");
  if (cp != nullptr) {
    for (const Artifact& a : cp->artifacts) {
      if (a.name == kArtifactOutput) return a.path;
    }
  }
  return absl::FailedPreconditionError("the mux step recorded no output");
}

Progress MakeProgress(int64_t done, int64_t total, absl::Duration elapsed) {
  Progress p;
  p.frames_done = done;
  p.frames_total = total;
  const double seconds = absl::ToDoubleSeconds(elapsed);
  if (seconds > 0 && done > 0) {
    p.fps = done / seconds;
    if (total > done) p.eta_ms = static_cast<int64_t>((total - done) / p.fps * 1000);
  }
  return p;
}

ProgressMeter::ProgressMeter(const StepContext& ctx, int64_t total, absl::Duration interval)
    : ctx_(ctx), total_(total), interval_(interval), start_(absl::Now()),
      last_(absl::InfinitePast()) {}

void ProgressMeter::Update(int64_t done, bool force) {
  const absl::Time now = absl::Now();
  if (!force && now - last_ < interval_) return;
  last_ = now;
  ctx_.ReportProgress(MakeProgress(done, total_, now - start_));
}

}  // namespace mkvfleet::agent::media
