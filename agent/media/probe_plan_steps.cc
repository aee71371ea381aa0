// probe and plan steps (see the header).
#include "agent/media/probe_plan_steps.h"

#include <sys/stat.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "agent/media/brightness_fact.h"
#include "agent/media/media_probe.h"
#include "agent/media/output_steps.h"
#include "agent/media/plan_policy.h"
#include "agent/media/publish.h"
#include "agent/step_runner.h"
#include "common/plot/brightness_series.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace {

// The steps that read the source after probe; with copy_source they read the copy.
constexpr const char* kSourceReaders[] = {"rpu", "encode", "mux", "verify"};

// How many frame numbers a log line or error lists.
constexpr size_t kFramesListed = 10;

// One line on how the RPUs of `path` match its frames (frame numbers in display order).
std::string DescribeCensus(const std::string& path, const dvstream::RpuCensus& c) {
  std::string text = absl::StrCat(path, ": ", c.frames, " frames, ", c.rpus, " RPUs");
  if (c.one_per_frame()) return absl::StrCat(text, ", one per frame");
  if (!c.without_rpu.empty()) {
    absl::StrAppend(&text, "; frames without an RPU: ", c.without_rpu.size(),
                    " (display order: ", dvstream::FrameListText(c.without_rpu, kFramesListed),
                    ")");
  }
  if (!c.with_several.empty()) {
    absl::StrAppend(&text, "; frames with more than one: ", c.with_several.size(), " (",
                    dvstream::FrameListText(c.with_several, kFramesListed), ")");
  }
  return text;
}

// Counts the RPUs of every frame of a Dolby Vision source and applies the rpu_mismatch policy
// (or the job's --repair-rpus): OK with facts when every frame has one RPU or repair was chosen
// (each repaired frame logged); FailedPrecondition naming the frames under "fail".
absl::Status CheckRpusPerFrame(StepContext& ctx, const MediaSettings& settings,
                               const std::string& path, const MediaInfo& info, StepResult& result) {
  ProgressMeter meter(ctx, info.frame_count);
  ASSIGN_OR_RETURN(const dvstream::FrameRpuTable table,
                   ReadFrameRpus(path, ctx.cancel_flag(), [&](int64_t n) { meter.Update(n); }));
  const dvstream::RpuCensus census = dvstream::CountFrameRpus(table);
  auto& facts = result.checkpoint.facts;
  facts[kFactFrames] = absl::StrCat(census.frames);
  facts[kFactRpus] = absl::StrCat(census.rpus);
  facts[kFactFramesWithoutRpu] = absl::StrCat(census.without_rpu.size());
  facts[kFactFramesWithSeveralRpus] = absl::StrCat(census.with_several.size());
  if (census.rpus > 0) facts[plot::kBrightnessFact] = BrightnessFact(table);
  const std::string text = DescribeCensus(path, census);
  // No RPU at all is not a damaged Dolby Vision stream but none: the plan decides on that.
  if (census.one_per_frame() || census.rpus == 0) {
    ctx.Log(LogLevel::kInfo, absl::StrCat("probe: RPUs: ", text));
    return absl::OkStatus();
  }
  const bool repair = settings.rpu_mismatch == RpuMismatchPolicy::kRepair || ctx.task().repair_rpus;
  if (!repair) {
    return absl::FailedPreconditionError(absl::StrCat(
        "probe: ", text,
        "; [media] rpu_mismatch = \"fail\": nothing was converted. To convert it with repaired "
        "RPUs (a frame without one gets its neighbour's, a frame with several keeps the first), "
        "set rpu_mismatch = \"repair\" on the agents and reset the job, or enqueue the file "
        "with --repair-rpus"));
  }
  ASSIGN_OR_RETURN(const RpuRepairPlan plan, PlanRpuRepair(table));
  ctx.Log(
      LogLevel::kWarn,
      absl::StrCat("probe: RPUs: ", text, "; repairing ", plan.notes.size(), " frames (",
                   ctx.task().repair_rpus ? "--repair-rpus" : "rpu_mismatch = \"repair\"", ")"));
  for (const dovi::RpuRepairNote& note : plan.notes) {
    ctx.Log(LogLevel::kWarn, absl::StrCat("probe: repair ", dovi::DescribeRepair(note)));
  }
  facts[kFactRpusRepaired] = absl::StrCat(plan.notes.size());
  return absl::OkStatus();
}

// The device of `path` or of its nearest existing ancestor; -1 when none can be read.
int64_t DeviceOf(std::filesystem::path path) {
  std::error_code ec;
  while (!std::filesystem::exists(path, ec) && path.has_parent_path() &&
         path != path.parent_path()) {
    path = path.parent_path();
  }
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_dev) : -1;
}

class ProbeStep final : public Step {
 public:
  ProbeStep(SharedSettings s, FreeSpaceFn f) : settings_(std::move(s)), free_space_(std::move(f)) {}
  std::string name() const override { return "probe"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    RETURN_IF_ERROR(CheckSourceReadable(ctx.source_path()));
    StepResult result;
    std::string path = ctx.source_path();
    if (settings_->copy_source) {
      ASSIGN_OR_RETURN(const SourceCopy copy,
                       CopySourceToWorkDir(ctx.source_path(), ctx.work_dir(), free_space_,
                                           kFreeSpaceMargin, ctx.cancel_flag()));
      ctx.Log(LogLevel::kInfo,
              copy.reused
                  ? absl::StrCat("copy_source: ", copy.path, " is intact (same size and time as ",
                                 ctx.source_path(), "); not copied again")
                  : absl::StrCat("copy_source: copied ", ctx.source_path(), " to ", copy.path, " (",
                                 copy.bytes, " bytes)"));
      result.checkpoint.artifacts.push_back(Artifact{kArtifactSourceCopy, copy.path,
                                                     ArtifactLocation::kAgentLocal,
                                                     ctx.agent_name(), copy.bytes});
      for (const char* step : kSourceReaders) {
        result.checkpoint.facts[absl::StrCat(kFactSourcePrefix, step)] = copy.path;
      }
      result.checkpoint.facts[kFactBytesWritten] = absl::StrCat(copy.reused ? 0 : copy.bytes);
      path = copy.path;
    }
    ASSIGN_OR_RETURN(const MediaInfo info, ProbeMedia(ctx, *settings_, path, {}));
    ctx.Log(LogLevel::kInfo,
            absl::StrCat("probe: ", info.video_codec, " ", info.width, "x", info.height, " ",
                         info.frame_count, " frames at ", info.fps(), " fps, ", info.tracks.size(),
                         " tracks, ", info.chapters, " chapters, DV ",
                         info.dovi.present ? absl::StrCat("profile ", info.dovi.profile) : "none",
                         ", first RPUs: profile ", info.rpu.profile, " ",
                         info.rpu.el_type.empty() ? "no EL" : info.rpu.el_type));
    if (info.rpu.checked && (info.rpu.rpus_seen > 0 || info.dovi.present)) {
      RETURN_IF_ERROR(CheckRpusPerFrame(ctx, *settings_, path, info, result));
    }
    result.checkpoint.facts[kFactMediaInfo] = MediaInfoToJson(info);
    return result;
  }

 private:
  SharedSettings settings_;
  FreeSpaceFn free_space_;
};

class PlanStep final : public Step {
 public:
  explicit PlanStep(SharedSettings s) : settings_(std::move(s)) {}
  std::string name() const override { return "plan"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    ASSIGN_OR_RETURN(const MediaInfo info, ProbedInfo(ctx));
    ASSIGN_OR_RETURN(const PlanDecision d,
                     ChoosePlan(info, settings_->plan, ctx.task().plan_override));
    StepResult result;
    if (d.skipped()) {
      ctx.Log(LogLevel::kInfo, absl::StrCat("plan: skip: ", d.skip_reason));
      result.outcome = StepResult::Outcome::kSkipped;
      result.reason = d.skip_reason;
      return result;
    }
    for (const std::string& w : d.warnings) ctx.Log(LogLevel::kWarn, w);
    const std::string dest = DestinationFor(ctx);
    RETURN_IF_ERROR(CheckDestinationFree(dest, settings_->publish));
    ctx.Log(LogLevel::kInfo,
            absl::StrCat("plan: ", d.plan, ctx.task().plan_override.empty() ? "" : " (override)",
                         ", output ", dest));
    result.plan = d.plan;
    result.checkpoint.facts[kFactPlan] = d.plan;
    result.checkpoint.facts[kFactDestination] = dest;
    if (!d.warnings.empty()) result.checkpoint.facts["warning"] = d.warnings.front();
    for (const auto& [step, need] :
         DiskNeedsFor(d.plan, info, dest, ctx.source_path(), settings_->publish)) {
      result.checkpoint.facts[absl::StrCat(kFactDiskPrefix, step)] = need;
    }
    return result;
  }

 private:
  SharedSettings settings_;
};

}  // namespace

std::map<std::string, std::string> DiskNeedsFor(const std::string& plan, const MediaInfo& source,
                                                const std::string& destination,
                                                const std::string& source_path,
                                                const PublishPolicy& publish) {
  std::map<std::string, std::string> needs;
  const std::string dest_folder = std::filesystem::path(destination).parent_path().string();
  // A re-encode or a remux of the source is about its size; the margin covers headers, the odd
  // larger encode, and what other writers take meanwhile.
  const std::string output = absl::StrCat(source.size_bytes + kFreeSpaceMargin, " ", dest_folder);
  if (plan == kPlanDvReencode) {
    // One converted RPU per frame, each well under 1 KiB, into the work dir.
    needs["rpu"] = absl::StrCat(source.frame_count * 1024 + kFreeSpaceMargin);
  }
  if (plan == kPlanDvReencode || plan == kPlanStandard) needs["encode"] = output;
  needs["mux"] = output;
  // publish renames the part file beside the destination: no new bytes, unless replace moves the
  // source to a backup folder on another filesystem (a copy).
  needs["publish"] = absl::StrCat(0, " ", dest_folder);
  if (publish.replace && !publish.backup_dir.empty() &&
      DeviceOf(publish.backup_dir) != DeviceOf(std::filesystem::path(source_path).parent_path())) {
    needs["publish"] = absl::StrCat(source.size_bytes + kFreeSpaceMargin, " ", publish.backup_dir);
  }
  return needs;
}

absl::StatusOr<RpuPatches> RpuRepairsFor(StepContext& ctx) {
  absl::StatusOr<std::string> expected = EarlierFact(ctx, "probe", kFactRpusRepaired);
  absl::StatusOr<std::string> missing = EarlierFact(ctx, "probe", kFactFramesWithoutRpu);
  // Nothing to repair, or only frames with several RPUs: PacketRewriter keeps their first itself.
  if (!expected.ok() || !missing.ok() || *missing == "0") return RpuPatches{};
  ASSIGN_OR_RETURN(const dvstream::FrameRpuTable table,
                   ReadFrameRpus(ctx.source_path(), ctx.cancel_flag(), nullptr));
  ASSIGN_OR_RETURN(RpuRepairPlan plan, PlanRpuRepair(table));
  if (absl::StrCat(plan.notes.size()) != *expected) {
    return absl::DataLossError(absl::StrCat(ctx.source_path(), ": the probe found ", *expected,
                                            " frames to repair, now ", plan.notes.size(),
                                            " (the source changed?)"));
  }
  ctx.Log(LogLevel::kInfo,
          absl::StrCat("rpu repair: ", plan.patches.size(),
                       " frames without an RPU get their repaired RPU (the probe's lines above "
                       "list them)"));
  return std::move(plan.patches);
}

std::unique_ptr<Step> MakeProbeStep(SharedSettings settings) {
  return MakeProbeStep(std::move(settings), RealFreeSpace());
}
std::unique_ptr<Step> MakeProbeStep(SharedSettings settings, FreeSpaceFn free_space) {
  return std::make_unique<ProbeStep>(std::move(settings), std::move(free_space));
}
std::unique_ptr<Step> MakePlanStep(SharedSettings settings) {
  return std::make_unique<PlanStep>(std::move(settings));
}

}  // namespace mkvfleet::agent::media
