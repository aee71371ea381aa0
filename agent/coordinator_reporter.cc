// Step reports to the coordinator with retries (see the header).
#include "agent/coordinator_reporter.h"

#include "absl/time/clock.h"
#include "agent/backoff.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::agent {
namespace {

// Retry delays for a report while the coordinator is unreachable.
constexpr absl::Duration kReportRetryInitial = absl::Milliseconds(200);
constexpr absl::Duration kReportRetryMax = absl::Seconds(5);
// Granularity of the cancel check while waiting between retries.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(50);

}  // namespace

CoordinatorReporter::CoordinatorReporter(CoordinatorClient& client, LeaseKeeper& keeper,
                                         const Task& task, std::string agent_name,
                                         const std::atomic<bool>* cancel)
    : client_(client), keeper_(keeper), task_(task), agent_name_(std::move(agent_name)),
      cancel_(cancel) {}

StepReport CoordinatorReporter::NewReport(StepReport::Event event, int index,
                                          const std::string& name) const {
  StepReport r;
  r.lease_id = task_.lease_id;
  r.task_id = task_.task_id;
  r.step_index = index;
  r.step_name = name;
  r.event = event;
  return r;
}

absl::Status CoordinatorReporter::Deliver(const StepReport& report) {
  Backoff backoff(kReportRetryInitial, kReportRetryMax);
  while (true) {
    absl::Status s = client_.ReportStep(report);
    if (!IsUnreachable(s)) return s;
    if (backoff.attempts() == 0) {
      spdlog::warn("report not delivered, retrying job={} step={} error=\"{}\"", task_.job_id,
                   report.step_name, std::string(s.message()));
    }
    if (backoff.attempts() > 0 && backoff.attempts() % 5 == 0) (void)client_.Reconnect();
    const absl::Time until = absl::Now() + backoff.Next();
    while (absl::Now() < until) {
      if (cancel_ && cancel_->load()) return absl::CancelledError("report abandoned: cancelled");
      absl::SleepFor(kCancelPoll);
    }
  }
}

absl::Status CoordinatorReporter::StepStarted(int index, const std::string& name) {
  keeper_.UpdateProgress(name, Progress{});
  spdlog::info("step started job={} step={} index={}", task_.job_id, name, index);
  StepReport r = NewReport(StepReport::Event::kStarted, index, name);
  return Deliver(r);
}

absl::Status CoordinatorReporter::StepFinished(int index, const std::string& name,
                                               const StepResult& result) {
  spdlog::info("step finished job={} step={} index={}", task_.job_id, name, index);
  StepReport r = NewReport(StepReport::Event::kFinished, index, name);
  r.result = result;
  return Deliver(r);
}

absl::Status CoordinatorReporter::StepFailed(int index, const std::string& name,
                                             const std::string& error, bool retryable) {
  spdlog::warn("step failed job={} step={} retryable={} error=\"{}\"", task_.job_id, name,
               retryable, error);
  StepReport r = NewReport(StepReport::Event::kFailed, index, name);
  r.error = error;
  r.retryable = retryable;
  return Deliver(r);
}

void CoordinatorReporter::Log(LogLevel level, const std::string& text) {
  spdlog::log(level == LogLevel::kError  ? spdlog::level::err
              : level == LogLevel::kWarn ? spdlog::level::warn
                                         : spdlog::level::info,
              "job={} {}", task_.job_id, text);
  absl::Status s = client_.AppendLog(task_.lease_id, task_.task_id, agent_name_, {{level, text}});
  if (!s.ok()) spdlog::debug("job log line not delivered job={} error=\"{}\"", task_.job_id,
                             std::string(s.message()));
}

void CoordinatorReporter::UpdateProgress(const std::string& step, const Progress& progress) {
  keeper_.UpdateProgress(step, progress);
}

}  // namespace mkvfleet::agent
