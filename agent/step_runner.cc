// The step runner (see the header): resume point, per-step reports, stop on refusal or cancel.
#include "agent/step_runner.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent {
namespace {

const StepRecord* RecordAt(const Task& task, int index) {
  for (const auto& s : task.steps) {
    if (s.index == index) return &s;
  }
  return nullptr;
}

int64_t SizeOf(const RunnerEnvironment& env, const std::string& path) {
  if (env.file_size) return env.file_size(path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? -1 : static_cast<int64_t>(size);
}

// Empty when every artifact of `record` is reachable here, else the first unreachable one.
std::string UnreachableArtifact(const StepRecord& record, const RunnerEnvironment& env) {
  for (const auto& a : record.checkpoint.artifacts) {
    std::string local;
    if (a.location == ArtifactLocation::kShared) {
      local = env.path_map ? ToLocalPath(a.path, *env.path_map) : a.path;
    } else if (a.agent.empty() || a.agent == env.agent_name) {
      local = a.path;
    } else {
      return absl::StrCat(a.name, " (local to agent ", a.agent, ")");
    }
    if (!env.file_exists || !env.file_exists(local))
      return absl::StrCat(a.name, " (", local, " is gone)");
    if (a.size_bytes > 0) {
      const int64_t size = SizeOf(env, local);
      if (size >= 0 && size != a.size_bytes) {
        return absl::StrCat(a.name, " (", local, " is ", size, " bytes, not the ", a.size_bytes,
                            " recorded)");
      }
    }
  }
  return "";
}

// The free-space line for the job log, and the early failure when less than `needs` is free.
absl::Status CheckSpaceBefore(const std::string& step, const StepNeeds& needs,
                              const RunnerEnvironment& env, TaskReporter& reporter) {
  const std::string folder = needs.folder.empty() ? env.job_work_dir : needs.folder;
  absl::StatusOr<int64_t> free = env.free_space ? env.free_space(folder) : RealFreeSpaceOf(folder);
  if (!free.ok()) {
    reporter.Log(LogLevel::kWarn,
                 absl::StrCat("step ", step, ": free space unknown: ", free.status().message()));
    return absl::OkStatus();
  }
  reporter.Log(LogLevel::kInfo,
               absl::StrCat("step ", step, ": free space in ", folder, ": ", *free, " bytes",
                            needs.bytes > 0 ? absl::StrCat(", needs about ", needs.bytes)
                                            : std::string(", writes nothing there")));
  if (*free < needs.bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "not enough free space in ", folder, " for step ", step, ": ", *free, " bytes free, ",
        needs.bytes, " bytes needed (estimated from the source); free some space or point the ",
        needs.folder.empty() ? "agent's --work-dir" : "output folder", " elsewhere"));
  }
  return absl::OkStatus();
}

bool IsRefusal(const absl::Status& s) { return absl::IsFailedPrecondition(s); }

RunSummary Stop(RunOutcome outcome, int first, std::string message) {
  return RunSummary{outcome, first, std::move(message)};
}

// The end of a run whose report to the coordinator failed with `report`: refused (the lease is
// stale) or not delivered.
RunSummary StopOnReportError(const absl::Status& report, int first, std::string message) {
  return Stop(IsRefusal(report) ? RunOutcome::kRefused : RunOutcome::kUndelivered, first,
              std::move(message));
}

// The job log's first lines: who runs what from where, and why the start moved (if it did).
void LogRunStart(const Pipeline& pipeline, const Task& task, const RunnerEnvironment& env,
                 int first, const std::string& why, TaskReporter& reporter) {
  reporter.Log(LogLevel::kInfo,
               absl::StrCat("agent ", env.agent_name, " runs pipeline ", pipeline.name(),
                            " from step ", first, " (", pipeline.steps()[first]->name(), ")",
                            task.resume_reason.empty() ? "" : ": " + task.resume_reason));
  if (!why.empty()) reporter.Log(LogLevel::kWarn, why);
}

// The recorded steps before `first`, as the steps of this run see them.
std::vector<StepRecord> RecordsBefore(const Task& task, int first) {
  std::vector<StepRecord> earlier;
  for (int i = 0; i < first; ++i) {
    if (const StepRecord* rec = RecordAt(task, i)) earlier.push_back(*rec);
  }
  return earlier;
}

// Fails early when the step's folder has less free space than `needs`, else runs the step.
absl::StatusOr<StepResult> CheckSpaceAndRun(Step& step, const std::string& name,
                                            const StepNeeds& needs, const RunnerEnvironment& env,
                                            TaskReporter& reporter, StepContext& ctx) {
  RETURN_IF_ERROR(CheckSpaceBefore(name, needs, env, reporter));
  return step.Run(ctx);
}

// Logs and reports step `index` as failed with `error`, and ends the run.
RunSummary StopAfterStepFailure(int index, const std::string& name, const absl::Status& error,
                                const std::string& took, int first, TaskReporter& reporter) {
  const bool permanent = IsPermanentFailure(error);
  std::string message = std::string(error.message());
  reporter.Log(LogLevel::kError,
               absl::StrCat("step ", name, " failed after ", took, ": ", message));
  if (absl::Status s = reporter.StepFailed(index, name, message, !permanent, RedoChunksOf(error));
      !s.ok()) {
    return StopOnReportError(s, first, std::string(s.message()));
  }
  return Stop(permanent ? RunOutcome::kFailedPermanent : RunOutcome::kFailedRetryable, first,
              message);
}

// Reports step `index` as finished with `result`. Nothing when the coordinator took it; else how
// the run ends: refused or undelivered, or, when the coordinator rejected the result itself (a
// pipeline bug), the step reported as failed (retryable) rather than the lease left to run out.
std::optional<RunSummary> ReportStepFinished(int index, const std::string& name,
                                             const StepResult& result, int first,
                                             TaskReporter& reporter) {
  absl::Status s = reporter.StepFinished(index, name, result);
  if (s.ok()) return std::nullopt;
  if (!absl::IsInvalidArgument(s)) return StopOnReportError(s, first, std::string(s.message()));
  std::string error =
      absl::StrCat("coordinator rejected the result of step ", name, ": ", s.message());
  if (absl::Status f = reporter.StepFailed(index, name, error, /*retryable=*/true, {}); !f.ok()) {
    return StopOnReportError(f, first, error);
  }
  return Stop(RunOutcome::kFailedRetryable, first, error);
}

// A step reported as finished: its result with paths in the coordinator's namespace, and the
// local paths they came from.
struct Finished {
  StepResult result;
  std::string local_output;    // result.output_path before translation
  std::string local_manifest;  // result.chunk_manifest before translation
};
// How one step ended: finished (the run goes on or ends by the outcome), or the end of the run.
using StepEnd = std::variant<Finished, RunSummary>;

// Puts the result's local paths (output_path, chunk_manifest) in the coordinator's namespace.
Finished Translated(StepResult r, const RunnerEnvironment& env) {
  Finished done{std::move(r), "", ""};
  done.local_output = done.result.output_path;
  done.local_manifest = done.result.chunk_manifest;
  if (env.path_map != nullptr) {
    if (!done.local_output.empty()) {
      done.result.output_path = ToCoordinatorPath(done.local_output, *env.path_map);
    }
    if (!done.local_manifest.empty()) {
      done.result.chunk_manifest = ToCoordinatorPath(done.local_manifest, *env.path_map);
    }
  }
  return done;
}

// Step `index` of a run that began at `first`: reports STARTED, checks the free space (when
// `needs` is set) and runs the step, then reports FAILED or FINISHED. kContinue from the `last`
// step of a pipeline is reported as kCompleted.
StepEnd RunReportedStep(Step& step, int index, int first, const Task& task,
                        const RunnerEnvironment& env, const std::string& source,
                        std::vector<StepRecord> earlier, const StepNeeds* needs, bool last,
                        TaskReporter& reporter, const std::atomic<bool>* cancel) {
  const std::string name = step.name();
  auto cancelled = [&] { return cancel != nullptr && cancel->load(); };
  if (cancelled()) return Stop(RunOutcome::kCancelled, first, "cancelled before step " + name);
  if (absl::Status s = reporter.StepStarted(index, name); !s.ok()) {
    return StopOnReportError(s, first, std::string(s.message()));
  }
  StepContext ctx(task, env.agent_name, source, env.job_work_dir, env.path_map, std::move(earlier),
                  cancel,
                  {[&reporter, name](const Progress& p) { reporter.UpdateProgress(name, p); },
                   [&reporter](LogLevel l, const std::string& t) { reporter.Log(l, t); }});
  ctx.set_shared_work_dir(env.shared_work_dir);
  const absl::Time started = absl::Now();
  absl::StatusOr<StepResult> result =
      needs != nullptr ? CheckSpaceAndRun(step, name, *needs, env, reporter, ctx) : step.Run(ctx);
  const std::string took =
      absl::FormatDuration(absl::Trunc(absl::Now() - started, absl::Milliseconds(1)));
  if (cancelled() || (!result.ok() && absl::IsCancelled(result.status()))) {
    return Stop(RunOutcome::kCancelled, first, absl::StrCat("cancelled during step ", name));
  }
  if (!result.ok()) {
    return StopAfterStepFailure(index, name, result.status(), took, first, reporter);
  }
  if (result->outcome == StepResult::Outcome::kContinue && last) {
    result->outcome = StepResult::Outcome::kCompleted;
  }
  Finished done = Translated(*std::move(result), env);
  if (auto stop = ReportStepFinished(index, name, done.result, first, reporter)) {
    return *std::move(stop);
  }
  reporter.Log(LogLevel::kInfo, absl::StrCat("step ", name, " finished in ", took));
  return done;
}

}  // namespace

absl::StatusOr<int64_t> RealFreeSpaceOf(const std::string& folder) {
  namespace fs = std::filesystem;
  fs::path p = folder.empty() ? fs::path(".") : fs::path(folder);
  std::error_code ec;
  while (!fs::exists(p, ec) && p.has_parent_path() && p != p.parent_path()) p = p.parent_path();
  struct statvfs st {};
  if (::statvfs(p.c_str(), &st) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot read the free space of ", p.string(), ": ", std::strerror(errno)));
  }
  return static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
}

StepNeeds NeedsOf(const std::string& step, const std::vector<StepRecord>& earlier) {
  StepNeeds needs;
  const std::string disk_key = kFactDiskPrefix + step;
  const std::string source_key = kFactSourcePrefix + step;
  for (const StepRecord& rec : earlier) {
    const auto& facts = rec.checkpoint.facts;
    if (auto it = facts.find(disk_key); it != facts.end()) {
      std::vector<std::string> parts = absl::StrSplit(it->second, absl::MaxSplits(' ', 1));
      int64_t bytes = 0;
      if (absl::SimpleAtoi(parts[0], &bytes)) {
        needs.bytes = bytes;
        needs.folder = parts.size() > 1 ? parts[1] : "";
      }
    }
    if (auto it = facts.find(source_key); it != facts.end()) needs.source = it->second;
  }
  return needs;
}

const char* RunOutcomeName(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kCompleted:
      return "completed";
    case RunOutcome::kSkipped:
      return "skipped";
    case RunOutcome::kChunked:
      return "chunked";
    case RunOutcome::kFailedRetryable:
      return "failed";
    case RunOutcome::kFailedPermanent:
      return "failed_permanent";
    case RunOutcome::kRefused:
      return "refused";
    case RunOutcome::kCancelled:
      return "cancelled";
    case RunOutcome::kUndelivered:
      return "undelivered";
  }
  return "unknown";
}

int EffectiveResumeStep(const Task& task, const Pipeline& pipeline, const RunnerEnvironment& env,
                        std::string* why) {
  const int n = static_cast<int>(pipeline.steps().size());
  int start = std::clamp(task.resume_from_step, 0, std::max(0, n - 1));
  // Assembling a chunked job reads only the shared chunk folder: what the steps before encode
  // left on the agent that prepared it is not needed here.
  bool artifacts_unneeded = !task.chunks.empty();
  for (int i = 0; i < start; ++i) {
    const StepRecord* rec = RecordAt(task, i);
    const std::string& name = pipeline.steps()[i]->name();
    if (name == "encode") artifacts_unneeded = false;
    std::string reason;
    if (rec == nullptr || rec->name != name ||
        (rec->status != StepStatus::kDone && rec->status != StepStatus::kSkipped)) {
      reason = absl::StrCat("step ", i, " (", name, ") is not recorded as done");
    } else if (std::string missing = artifacts_unneeded ? "" : UnreachableArtifact(*rec, env);
               !missing.empty()) {
      reason = absl::StrCat("artifact ", missing, " of step ", i, " (", name,
                            ") is not reachable from agent ", env.agent_name);
    }
    if (!reason.empty()) {
      if (why) {
        *why = absl::StrCat("resuming from step ", i, " (", name, ") instead of ", start, ": ",
                            reason);
      }
      return i;
    }
  }
  return start;
}

RunSummary RunPipeline(const Pipeline& pipeline, const Task& task, const RunnerEnvironment& env,
                       TaskReporter& reporter, const std::atomic<bool>* cancel) {
  const auto& steps = pipeline.steps();
  const int n = static_cast<int>(steps.size());
  std::string why;
  const int first = EffectiveResumeStep(task, pipeline, env, &why);
  LogRunStart(pipeline, task, env, first, why, reporter);
  std::vector<StepRecord> earlier = RecordsBefore(task, first);

  for (int i = first; i < n; ++i) {
    const std::string name = steps[i]->name();
    const StepNeeds needs = NeedsOf(name, earlier);
    StepEnd end = RunReportedStep(*steps[i], i, first, task, env,
                                  needs.source.empty() ? env.source_path : needs.source, earlier,
                                  &needs, /*last=*/i == n - 1, reporter, cancel);
    if (auto* stop = std::get_if<RunSummary>(&end)) return *std::move(stop);
    Finished& done = std::get<Finished>(end);
    switch (done.result.outcome) {
      case StepResult::Outcome::kCompleted:
        return Stop(RunOutcome::kCompleted, first, done.local_output);
      case StepResult::Outcome::kSkipped:
        return Stop(RunOutcome::kSkipped, first, done.result.reason);
      case StepResult::Outcome::kChunked:
        reporter.Log(LogLevel::kInfo,
                     absl::StrCat("step ", name, " split the job into ", done.result.chunks.size(),
                                  " chunks (manifest ", done.local_manifest,
                                  "); agents with the shared work dir encode them"));
        return Stop(RunOutcome::kChunked, first, done.local_manifest);
      case StepResult::Outcome::kContinue:
        break;
    }
    earlier.push_back(
        StepRecord{i, name, StepStatus::kDone, std::move(done.result.checkpoint), env.agent_name});
  }
  return Stop(RunOutcome::kCompleted, first, "");  // unreachable: the last step completes
}

RunSummary RunChunkTask(Step& step, int step_index, const Task& task, const RunnerEnvironment& env,
                        TaskReporter& reporter, const std::atomic<bool>* cancel) {
  const int chunk = task.chunk ? task.chunk->index : -1;
  reporter.Log(LogLevel::kInfo,
               absl::StrCat("agent ", env.agent_name, " runs chunk ", chunk, " of job ",
                            task.job_id, " (step ", step_index, ", ", step.name(), ")"));
  StepEnd end = RunReportedStep(step, step_index, step_index, task, env, env.source_path, {},
                                /*needs=*/nullptr, /*last=*/false, reporter, cancel);
  if (auto* stop = std::get_if<RunSummary>(&end)) return *std::move(stop);
  const Finished& done = std::get<Finished>(end);
  std::string message = absl::StrCat("chunk ", chunk, " done");
  for (const Artifact& a : done.result.checkpoint.artifacts)
    absl::StrAppend(&message, ": ", a.path);
  return Stop(RunOutcome::kCompleted, step_index, std::move(message));
}

int ChunkStepIndex(const Task& task, const Pipeline* pipeline, const std::string& name) {
  for (const StepRecord& s : task.steps) {
    if (s.name == name) return s.index;
  }
  if (pipeline != nullptr) {
    for (size_t i = 0; i < pipeline->steps().size(); ++i) {
      if (pipeline->steps()[i]->name() == name) return static_cast<int>(i);
    }
  }
  return 0;
}

}  // namespace mkvfleet::agent
