// The agent's register / claim / run loop (see the header).
#include "agent/agent_daemon.h"

#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agent/call_backoff.h"
#include "agent/coordinator_reporter.h"
#include "agent/step_runner.h"
#include "agent/tool_discovery.h"
#include "common/notify/notifier.h"
#include "common/status/status_macros.h"
#include "spdlog/spdlog.h"

#ifndef MKVFLEET_VERSION
#define MKVFLEET_VERSION "0.0.0"
#endif

namespace mkvfleet::agent {
namespace {

bool IsAuthError(const absl::Status& s) {
  return absl::IsUnauthenticated(s) || absl::IsPermissionDenied(s);
}

auth::ClientConnectOptions ConnectOptions(const AgentConfig& c) {
  return auth::ClientConnectOptions{c.server, c.tls, c.tls_ca_file, c.tls_server_name};
}

// Passes every report through, but once the agent is stopping it refuses to start another step,
// which ends the run (RunOutcome::kUndelivered) right after the step that was running reported.
class StopGate final : public TaskReporter {
 public:
  StopGate(TaskReporter& inner, const std::atomic<bool>& stopping)
      : inner_(inner), stopping_(stopping) {}

  absl::Status StepStarted(int index, const std::string& name) override {
    if (stopping_.load()) {
      inner_.Log(LogLevel::kInfo, absl::StrCat("agent stopping: step ", name,
                                               " not started here; the lease is handed back"));
      return absl::AbortedError(absl::StrCat("agent stopping: step ", name, " not started"));
    }
    return inner_.StepStarted(index, name);
  }
  absl::Status StepFinished(int index, const std::string& name, const StepResult& result) override {
    return inner_.StepFinished(index, name, result);
  }
  absl::Status StepFailed(int index, const std::string& name, const std::string& error,
                          bool retryable, const std::vector<int>& redo_chunks) override {
    return inner_.StepFailed(index, name, error, retryable, redo_chunks);
  }
  void Log(LogLevel level, const std::string& text) override { inner_.Log(level, text); }
  void UpdateProgress(const std::string& step, const Progress& progress) override {
    inner_.UpdateProgress(step, progress);
  }

 private:
  TaskReporter& inner_;
  const std::atomic<bool>& stopping_;
};

}  // namespace

AgentDaemon::AgentDaemon(AgentConfig config, std::unique_ptr<Pipeline> pipeline,
                         std::unique_ptr<Step> chunk_step)
    : config_(std::move(config)),
      pipeline_(std::move(pipeline)),
      chunk_step_(std::move(chunk_step)),
      client_(ConnectOptions(config_), config_.token),
      keeper_(client_, config_.name, config_.work_dir),
      work_dirs_(config_.work_dir),
      notifier_(notify::Notifier::FromEnvironment()) {}

AgentDaemon::~AgentDaemon() {
  if (!run_done_.HasBeenNotified()) run_done_.Notify();
  absl::MutexLock lock(&grace_mu_);
  if (grace_timer_.joinable()) grace_timer_.join();
}

void AgentDaemon::RequestStop() {
  if (stopping_.exchange(true)) {
    if (task_running_.load() && !task_cancel_.exchange(true)) {
      spdlog::warn("second stop request: cancelling the running step now");
    }
    return;
  }
  stop_.Notify();
  const int64_t grace_s = absl::ToInt64Seconds(config_.stop_grace);
  if (task_running_.load()) {
    spdlog::info("stop requested: no new claims; the running step may finish within grace_s={}",
                 grace_s);
    (void)notifier_.Status(absl::StrCat("stopping: finishing the running step (up to ", grace_s,
                                        " s), then handing the lease back"));
  } else {
    spdlog::info("stop requested: no task running");
  }
  absl::MutexLock lock(&grace_mu_);
  grace_timer_ = std::thread([this, grace_s] {
    if (run_done_.WaitForNotificationWithTimeout(config_.stop_grace)) return;
    if (task_running_.load() && !task_cancel_.exchange(true)) {
      spdlog::warn("stop grace period over after grace_s={}: cancelling the running step", grace_s);
    }
  });
}

void AgentDaemon::Pause(absl::Duration d) { stop_.WaitForNotificationWithTimeout(d); }

absl::Status AgentDaemon::RegisterOnce() {
  RegisterInfo info;
  info.name = config_.name;
  info.version = MKVFLEET_VERSION;
  info.tools = DiscoverTools(config_.tool_paths);
  info.threads = static_cast<int>(std::thread::hardware_concurrency());
  auto free_bytes = FreeBytes(config_.work_dir);
  info.free_temp_bytes = free_bytes.ok() ? *free_bytes : 0;
  info.work_dir = config_.work_dir;
  info.instance_id = instance_id_;
  info.shared_work_dir = config_.shared_work_dir.empty()
                             ? ""
                             : ToCoordinatorPath(config_.shared_work_dir, config_.path_map);
  ASSIGN_OR_RETURN(auto reply, client_.Register(info));
  for (const auto& t : info.tools) {
    if (t.problem.empty()) {
      spdlog::info("tool found name={} version={} path={}", t.name, t.version, t.path);
    } else {
      spdlog::warn("tool problem name={} problem=\"{}\"", t.name, t.problem);
    }
  }
  heartbeat_interval_ = reply.heartbeat_interval;
  keeper_.SetInterval(reply.heartbeat_interval);
  spdlog::info("registered agent={} server={} heartbeat_ms={} lease_ms={} drained={}", config_.name,
               config_.server, absl::ToInt64Milliseconds(reply.heartbeat_interval),
               absl::ToInt64Milliseconds(reply.lease_duration), reply.drained);
  return absl::OkStatus();
}

absl::Status AgentDaemon::Run() {
  RETURN_IF_ERROR(work_dirs_.Prepare());
  RETURN_IF_ERROR(CheckSharedWorkDir(config_.shared_work_dir));
  ASSIGN_OR_RETURN(instance_id_, work_dirs_.InstanceId());
  const std::optional<int64_t> last = work_dirs_.LastHeldJob();
  if (int removed = work_dirs_.RemoveAllExcept(last); removed > 0) {
    spdlog::info("removed leftover job folders count={} kept_job={}", removed, last.value_or(0));
  }
  spdlog::info(
      "agent starting name={} server={} pipeline={} work_dir={} shared_work_dir={} token={}",
      config_.name, config_.server, pipeline_->name(), config_.work_dir,
      config_.shared_work_dir.empty() ? "none" : config_.shared_work_dir,
      config_.token.empty() ? "none" : "set");
  if (pipeline_->name() == "placeholder") {
    spdlog::warn("running the placeholder pipeline: jobs are read and checksummed, not converted");
  }

  // Under systemd (Type=notify): READY=1 once registered, WATCHDOG=1 while the loop runs (and
  // while a step finishes during a graceful stop).
  const notify::Notifier& notifier = notifier_;
  notify::WatchdogPinger watchdog(notifier,
                                  [this] { return !stopping_.load() || task_running_.load(); });
  bool ready_sent = false;
  CallBackoff reconnect(kReconnectInitial, kReconnectMax);
  bool registered = false;
  bool keeper_started = false;
  absl::Status exit_status = absl::OkStatus();
  while (!stopping_.load()) {
    if (!registered) {
      absl::Status s = RegisterOnce();
      if (IsAuthError(s)) {
        exit_status = absl::PermissionDeniedError(
            absl::StrCat("coordinator ", config_.server, " refused the agent token (", s.message(),
                         "): set MKVFLEET_AGENT_TOKEN to the coordinator's agent token"));
        break;
      }
      if (absl::IsAlreadyExists(s)) {
        // Another running agent uses our name: say so every time (it is a setup error to fix),
        // and keep trying, since the name frees up once that agent goes silent.
        spdlog::error("register refused: {}", std::string(s.message()));
        (void)notifier.Status(absl::StrCat("name ", config_.name, " used by another agent"));
        Pause(reconnect.Next());
        continue;
      }
      if (!s.ok()) {
        if (reconnect.attempts() == 0 || reconnect.attempts() % 10 == 0) {
          spdlog::warn("coordinator not reachable, retrying server={} error=\"{}\"", config_.server,
                       std::string(s.message()));
        }
        (void)client_.Reconnect();
        Pause(reconnect.Next());
        continue;
      }
      registered = true;
      reconnect.Reset();
      // Heartbeats only once registered: those of an agent refused for its name would otherwise
      // keep that name alive for its holder forever.
      if (!keeper_started) {
        keeper_.Start(heartbeat_interval_);
        keeper_started = true;
      }
      if (!ready_sent) {
        (void)notifier.Ready();
        (void)notifier.Status(
            absl::StrCat("registered with ", config_.server, " as ", config_.name));
        ready_sent = true;
      }
    }
    if (keeper_.drained()) {
      Pause(config_.claim_poll_interval);
      continue;
    }
    auto claim = client_.Claim(config_.name);
    if (!claim.ok()) {
      if (IsAuthError(claim.status())) {
        exit_status = claim.status();
        break;
      }
      if (IsUnreachable(claim.status())) {
        spdlog::warn("claim failed, reconnecting error=\"{}\"",
                     std::string(claim.status().message()));
        registered = false;
      } else if (absl::IsNotFound(claim.status())) {
        registered = false;  // the coordinator forgot us: register again
      } else if (!absl::IsFailedPrecondition(claim.status())) {  // drained: just wait
        spdlog::warn("claim refused error=\"{}\"", std::string(claim.status().message()));
      }
      Pause(config_.claim_poll_interval);
      continue;
    }
    if (!claim->has_value()) {
      Pause(config_.claim_poll_interval);
      continue;
    }
    RunTask(**claim);
  }
  (void)notifier.Stopping();
  keeper_.Stop();
  run_done_.Notify();
  spdlog::info("agent stopped name={}", config_.name);
  return exit_status;
}

RunSummary AgentDaemon::RunChunk(const Task& task, TaskReporter& reporter) {
  const int index = ChunkStepIndex(task, pipeline_.get(), "encode");
  if (!chunk_step_) {
    const std::string error =
        absl::StrCat("agent ", config_.name, " cannot run chunk tasks (no chunk runner)");
    absl::Status s = reporter.StepFailed(index, "encode", error, /*retryable=*/true, {});
    return RunSummary{s.ok() ? RunOutcome::kFailedRetryable : RunOutcome::kUndelivered, index,
                      error};
  }
  RunnerEnvironment env;
  env.agent_name = config_.name;
  env.source_path = ToLocalPath(task.source_path, config_.path_map);
  env.shared_work_dir = config_.shared_work_dir;
  env.path_map = &config_.path_map;
  env.file_exists = [](const std::string& p) { return std::filesystem::exists(p); };
  return RunChunkTask(*chunk_step_, index, task, env, reporter, &task_cancel_);
}

void AgentDaemon::RunTask(const Task& task) {
  task_cancel_ = stopping_.load();  // a stop that raced the claim: hand back without starting
  task_running_ = true;
  struct NotRunning {
    std::atomic<bool>& flag;
    ~NotRunning() { flag = false; }
  } not_running{task_running_};
  const bool chunk_task = task.chunk.has_value();
  spdlog::info("task claimed job={} task={} path=\"{}\" resume_from={} attempts={} chunk={}",
               task.job_id, task.task_id, task.source_path, task.resume_from_step, task.attempts,
               chunk_task ? absl::StrCat(task.chunk->index) : std::string("none"));
  keeper_.Hold(task, &task_cancel_);
  CoordinatorReporter coordinator_reporter(client_, keeper_, task, config_.name, &task_cancel_);
  StopGate reporter(coordinator_reporter, stopping_);
  RunSummary summary;
  if (chunk_task) {
    summary = RunChunk(task, reporter);
  } else {
    work_dirs_.RemoveAllExcept(task.job_id);
    auto dir = work_dirs_.ForJob(task.job_id);
    if (!dir.ok()) {
      (void)reporter.StepFailed(std::max(0, task.resume_from_step), "",
                                std::string(dir.status().message()), true, {});
      keeper_.Drop();
      return;
    }
    RunnerEnvironment env;
    env.agent_name = config_.name;
    env.source_path = ToLocalPath(task.source_path, config_.path_map);
    env.job_work_dir = *dir;
    env.shared_work_dir = config_.shared_work_dir;
    env.path_map = &config_.path_map;
    env.file_exists = [](const std::string& p) { return std::filesystem::exists(p); };
    summary = RunPipeline(*pipeline_, task, env, reporter, &task_cancel_);
  }
  const bool revoked = keeper_.revoked();
  keeper_.Drop();
  spdlog::info("task ended job={} task={} outcome={} revoked={} message=\"{}\"", task.job_id,
               task.task_id, RunOutcomeName(summary.outcome), revoked, summary.message);

  // A chunk task owns no work folder: the job's folder (if this agent prepared the job) stays
  // for the assembly.
  const bool owns_folder = !chunk_task;
  switch (summary.outcome) {
    case RunOutcome::kCompleted:
    case RunOutcome::kSkipped:
    case RunOutcome::kFailedPermanent:
    case RunOutcome::kRefused:
      if (owns_folder) work_dirs_.Remove(task.job_id);
      break;
    case RunOutcome::kFailedRetryable:
    case RunOutcome::kChunked:
      break;  // the job may come back here and resume from the folder
    case RunOutcome::kCancelled:
    case RunOutcome::kUndelivered:
      if (revoked) {
        if (owns_folder) work_dirs_.Remove(task.job_id);
      } else if (stopping_.load()) {
        absl::Status s = client_.ReleaseTask(task.lease_id, task.task_id, "agent stopping");
        spdlog::info("lease handed back job={} ok={} step_cancelled={} task={}", task.job_id,
                     s.ok(), summary.outcome == RunOutcome::kCancelled, task.task_id);
      }
      break;
  }
}

}  // namespace mkvfleet::agent
