// verify and publish steps, shared by every plan (see output_steps.h).
#include <filesystem>
#include <future>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agent/media/media_probe.h"
#include "agent/media/output_steps.h"
#include "agent/media/plan_policy.h"
#include "agent/media/publish.h"
#include "agent/media/rpu_scan.h"
#include "agent/media/verify_rules.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::media {
namespace {

class VerifyStep final : public Step {
 public:
  VerifyStep(SharedSettings s, std::map<std::string, VerifyExtraCheck> extra)
      : settings_(std::move(s)), extra_(std::move(extra)) {}
  std::string name() const override { return "verify"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    ASSIGN_OR_RETURN(const MediaInfo source, ProbedInfo(ctx));
    ASSIGN_OR_RETURN(const std::string plan, EarlierFact(ctx, "plan", kFactPlan));
    ASSIGN_OR_RETURN(const std::string part, BuiltOutput(ctx));
    if (!std::filesystem::exists(part)) {
      // Lost (e.g. cleaned up): the mux has to run again; retryable.
      return absl::UnavailableError(absl::StrCat("built output ", part, " is gone"));
    }
    VerifyTarget target;
    target.dolby_vision_81 = plan != kPlanStandard;
    target.same_video_size = plan == kPlanDvConvert;
    absl::StatusOr<std::string> frames = EarlierFact(ctx, "mux", kFactSourceFrames);
    if (frames.ok()) absl::SimpleAtoi(*frames, &target.source_frames);

    // ffprobe and mkvmerge read the headers only; the one full read of the output is our packet
    // scan, which also gives the frame count. The three run at once, and meanwhile the part file
    // is written back to disk (publish fsyncs it again, then with little or nothing left to
    // write), so the disk works while the checks read the page cache.
    auto synced = std::async(std::launch::async, [&part] { return SyncFile(part); });
    auto probed = std::async(std::launch::async, [&] {
      return ProbeMedia(
          ctx, *settings_, part,
          ProbeOptions{.count_packets = false, .count_if_unknown = false, .first_rpus = false});
    });
    ProgressMeter meter(ctx, target.source_frames > 0 ? target.source_frames : source.frame_count);
    absl::StatusOr<RpuScanTotals> scan =
        ScanAllRpus(part, ctx.cancel_flag(), [&](int64_t n) { meter.Update(n); });
    absl::StatusOr<MediaInfo> output = probed.get();
    if (absl::Status s = synced.get(); !s.ok()) {
      ctx.Log(LogLevel::kWarn,
              absl::StrCat("verify: early write-back: ", s.message(), " (publish fsyncs again)"));
    }
    if (!output.ok()) return Fail(ctx, part, output.status());
    if (!scan.ok()) return Fail(ctx, part, scan.status());
    meter.Update(scan->packets, true);
    if (output->frame_count == 0) output->frame_count = scan->packets;

    const std::vector<CheckResult> checks = CheckOutput(source, *output, *scan, target);
    StepResult result;
    for (const CheckResult& c : checks) {
      ctx.Log(
          c.passed ? LogLevel::kInfo : LogLevel::kError,
          absl::StrCat("verify ", c.name, ": ", c.passed ? "ok" : "FAILED", " (", c.detail, ")"));
      result.checkpoint.facts["check." + c.name] = c.passed ? "ok" : c.detail;
    }
    if (absl::Status s = Verdict(checks, part); !s.ok()) return Fail(ctx, part, s);
    if (auto extra = extra_.find(plan); extra != extra_.end() && extra->second) {
      absl::Status s = extra->second(ctx, part, result);
      if (s.code() == absl::StatusCode::kDataLoss) return Fail(ctx, part, s);
      if (!s.ok()) return s;  // e.g. a tool crashed: retryable, the part file kept
    }
    return result;
  }

 private:
  // A failed verification leaves nothing behind and is not retried.
  static absl::Status Fail(const StepContext& ctx, const std::string& part, absl::Status s) {
    if (s.code() == absl::StatusCode::kCancelled || s.code() == absl::StatusCode::kUnavailable) {
      return s;
    }
    std::error_code ec;
    std::filesystem::remove(part, ec);
    ctx.Log(LogLevel::kError, absl::StrCat("removed unverified output ", part));
    return IsPermanentFailure(s) ? s : absl::DataLossError(s.message());
  }

  SharedSettings settings_;
  std::map<std::string, VerifyExtraCheck> extra_;
};

class PublishStep final : public Step {
 public:
  explicit PublishStep(SharedSettings s) : settings_(std::move(s)) {}
  std::string name() const override { return "publish"; }

  absl::StatusOr<StepResult> Run(StepContext& ctx) override {
    ASSIGN_OR_RETURN(const std::string dest, EarlierFact(ctx, "plan", kFactDestination));
    ASSIGN_OR_RETURN(const std::string part, BuiltOutput(ctx));
    int64_t built_bytes = -1;
    if (auto b = EarlierFact(ctx, "mux", kFactOutputBytes); b.ok()) {
      absl::SimpleAtoi(*b, &built_bytes);
    }

    std::error_code ec;
    const bool part_exists = std::filesystem::exists(part, ec);
    const auto dest_size = std::filesystem::file_size(dest, ec);
    if (!part_exists && !ec && static_cast<int64_t>(dest_size) == built_bytes) {
      // A previous run renamed it and stopped before reporting.
      ctx.Log(LogLevel::kInfo, absl::StrCat("publish: ", dest, " already in place"));
    } else {
      absl::Status s = PublishFile(part, dest, settings_->publish);
      if (s.code() == absl::StatusCode::kFailedPrecondition) {
        std::filesystem::remove(part, ec);  // nothing half-written left beside the destination
      }
      if (!s.ok()) return s;
      ctx.Log(LogLevel::kInfo, absl::StrCat("published ", dest));
    }
    StepResult result;
    if (settings_->publish.replace) {
      absl::StatusOr<std::string> backup =
          MoveToBackup(ctx.source_path(), settings_->publish.backup_dir);
      if (!backup.ok()) {
        if (!std::filesystem::exists(ctx.source_path())) {
          ctx.Log(LogLevel::kInfo, "replace: the source is no longer in place (moved earlier)");
        } else {
          return backup.status();
        }
      } else {
        ctx.Log(LogLevel::kInfo, absl::StrCat("replace: source moved to ", *backup));
        result.checkpoint.facts["backup"] = *backup;
      }
    }
    RemoveChunks(ctx);
    result.outcome = StepResult::Outcome::kCompleted;
    result.output_path = dest;
    result.checkpoint.facts["output"] = dest;
    return result;
  }

 private:
  // A chunked job's shared folder (the manifest's) is of no use once the output is published;
  // failing to remove it costs space, not the job.
  static void RemoveChunks(const StepContext& ctx) {
    if (ctx.task().chunk_manifest.empty()) return;
    const std::string folder =
        std::filesystem::path(ctx.ToLocal(ctx.task().chunk_manifest)).parent_path().string();
    if (absl::Status s = RemoveChunkFolder(folder, ctx.task().job_id); !s.ok()) {
      ctx.Log(LogLevel::kWarn, absl::StrCat("publish: chunk files left in place: ", s.message()));
      return;
    }
    ctx.Log(LogLevel::kInfo, absl::StrCat("publish: removed the chunk folder ", folder));
  }

  SharedSettings settings_;
};

}  // namespace

std::unique_ptr<Step> MakeVerifyStep(SharedSettings settings,
                                     std::map<std::string, VerifyExtraCheck> extra_checks) {
  return std::make_unique<VerifyStep>(std::move(settings), std::move(extra_checks));
}
std::unique_ptr<Step> MakePublishStep(SharedSettings settings) {
  return std::make_unique<PublishStep>(std::move(settings));
}

}  // namespace mkvfleet::agent::media
