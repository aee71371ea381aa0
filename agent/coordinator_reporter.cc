// Step reports to the coordinator with retries (see the header).
#include "agent/coordinator_reporter.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/time/clock.h"
#include "agent/call_backoff.h"
#include "spdlog/spdlog.h"

namespace mkvfleet::agent {
namespace {

// Retry delays for a report while the coordinator is unreachable.
constexpr absl::Duration kReportRetryInitial = absl::Milliseconds(200);
constexpr absl::Duration kReportRetryMax = absl::Seconds(5);
// Granularity of the cancel check while waiting between retries.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(50);

}  // namespace

ProcessIo ParseProcessIo(const std::string& text) {
  ProcessIo io;
  int64_t cancelled = 0;
  std::istringstream in(text);
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "read_bytes:") io.read_bytes = value;
    if (key == "write_bytes:") io.written_bytes = value;
    if (key == "cancelled_write_bytes:") cancelled = value;
  }
  io.written_bytes = std::max<int64_t>(0, io.written_bytes - cancelled);
  return io;
}

std::optional<ProcessIo> ReadProcessIo() {
  std::ifstream f("/proc/self/io");
  if (!f) return std::nullopt;
  std::ostringstream text;
  text << f.rdbuf();
  return ParseProcessIo(text.str());
}

void CoordinatorReporter::AddStepIo(StepReport& report) const {
  if (!io_at_start_) return;
  const std::optional<ProcessIo> now = ReadProcessIo();
  if (!now) return;
  report.bytes_read = std::max<int64_t>(0, now->read_bytes - io_at_start_->read_bytes);
  report.bytes_written = std::max<int64_t>(0, now->written_bytes - io_at_start_->written_bytes);
}

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
  CallBackoff backoff(kReportRetryInitial, kReportRetryMax);
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
  io_at_start_ = ReadProcessIo();
  spdlog::info("step started job={} step={} index={}", task_.job_id, name, index);
  StepReport r = NewReport(StepReport::Event::kStarted, index, name);
  return Deliver(r);
}

absl::Status CoordinatorReporter::StepFinished(int index, const std::string& name,
                                               const StepResult& result) {
  spdlog::info("step finished job={} step={} index={}", task_.job_id, name, index);
  StepReport r = NewReport(StepReport::Event::kFinished, index, name);
  r.result = result;
  AddStepIo(r);
  return Deliver(r);
}

absl::Status CoordinatorReporter::StepFailed(int index, const std::string& name,
                                             const std::string& error, bool retryable,
                                             const std::vector<int>& redo_chunks) {
  spdlog::warn("step failed job={} step={} retryable={} error=\"{}\"", task_.job_id, name,
               retryable, error);
  StepReport r = NewReport(StepReport::Event::kFailed, index, name);
  r.error = error;
  r.retryable = retryable;
  r.redo_chunks = redo_chunks;
  AddStepIo(r);
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
