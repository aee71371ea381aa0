// The RPU repair rule (see the header).
#include "common/dovi/rpu_repair.h"

#include "absl/strings/str_cat.h"
#include "common/dovi/rpu.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dovi {

std::string DescribeRepair(const RpuRepairNote& n) {
  if (n.kind == RpuRepairNote::Kind::kDuplicate) {
    return absl::StrCat("frame ", n.frame, ": ", n.rpus, " RPUs, kept the first");
  }
  return absl::StrCat("frame ", n.frame, ": no RPU, copy of frame ", n.copied_from,
                      "'s (scene_refresh_flag ", n.scene_refresh ? 1 : 0, ")");
}

absl::StatusOr<std::vector<uint8_t>> WithSceneRefresh(absl::Span<const uint8_t> payload,
                                                      bool scene_refresh) {
  ASSIGN_OR_RETURN(Rpu rpu, ParseRpu(payload));
  if (!rpu.vdr_dm_data) {
    return absl::FailedPreconditionError("RPU has no DM data (no scene_refresh_flag to set)");
  }
  if ((rpu.vdr_dm_data->scene_refresh_flag != 0) == scene_refresh) {
    return std::vector<uint8_t>(payload.begin(), payload.end());
  }
  rpu.vdr_dm_data->scene_refresh_flag = scene_refresh ? 1 : 0;
  return WriteRpu(rpu);
}

absl::StatusOr<RepairedRpus> RepairRpus(absl::Span<const FrameRpus> frames) {
  int64_t first_with_rpu = -1;
  for (size_t i = 0; i < frames.size() && first_with_rpu < 0; ++i) {
    if (!frames[i].empty()) first_with_rpu = static_cast<int64_t>(i);
  }
  if (first_with_rpu < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("none of the ", frames.size(), " frames carries an RPU: nothing to copy"));
  }
  RepairedRpus out;
  out.rpus.reserve(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    const int64_t frame = static_cast<int64_t>(i);
    if (!frames[i].empty()) {
      out.rpus.push_back(frames[i].front());
      if (frames[i].size() > 1) {
        out.notes.push_back({.kind = RpuRepairNote::Kind::kDuplicate,
                             .frame = frame,
                             .rpus = static_cast<int>(frames[i].size())});
      }
      continue;
    }
    RpuRepairNote note{.kind = RpuRepairNote::Kind::kMissing, .frame = frame};
    note.copied_from = frame > first_with_rpu ? frame - 1 : first_with_rpu;
    note.scene_refresh = frame == 0;
    const std::vector<uint8_t>& source = frame > first_with_rpu
                                             ? out.rpus[static_cast<size_t>(frame - 1)]
                                             : frames[static_cast<size_t>(first_with_rpu)].front();
    absl::StatusOr<std::vector<uint8_t>> copy = WithSceneRefresh(source, note.scene_refresh);
    if (!copy.ok()) {
      return absl::Status(copy.status().code(),
                          absl::StrCat("RPU of frame ", note.copied_from, " (to copy to frame ",
                                       frame, "): ", copy.status().message()));
    }
    out.rpus.push_back(*std::move(copy));
    out.notes.push_back(note);
  }
  return out;
}

}  // namespace mkvfleet::dovi
