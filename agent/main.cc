// mkv-agent: parses flags, loads the config, runs the AgentDaemon until SIGINT/SIGTERM (the first
// signal stops gracefully, a second one cancels the running step at once), or with --check runs
// the doctor checks and exits (1 when any check is an error).
//   mkv-agent --server HOST:PORT --name NAME --work-dir DIR [--shared-work-dir DIR]
//             [--config FILE] [--check [--json]]
// Token: MKVFLEET_AGENT_TOKEN (env) or agent_token (config).
#include <signal.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "agent/agent_check.h"
#include "agent/agent_config.h"
#include "agent/agent_daemon.h"
#include "agent/encode/chunk_runner.h"
#include "agent/pipeline_registry.h"
#include "common/cli/command_line.h"
#include "common/config/config_layers.h"
#include "common/doctor/check_report.h"
#include "common/log/log.h"

int main(int argc, char** argv) {
  // Block the stop signals in every thread; one thread waits for them (see below).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CLI::App app{"mkv-agent: claims mkvfleet jobs from the coordinator and runs them"};
  std::string config_file, server, name, work_dir, shared_work_dir, pipeline, log_level;
  int64_t test_step_ms = 0, claim_poll_ms = 0, stop_grace_seconds = -1;
  bool check = false, json = false;
  app.add_option("--config", config_file, "TOML config file")
      ->transform(mkvfleet::cli::AbsolutePath());
  mkvfleet::cli::AddVersionFlag(app, "mkv-agent");
  app.add_option("--server", server, "coordinator HOST:PORT");
  app.add_option("--name", name, "unique agent name");
  app.add_option("--work-dir", work_dir, "folder for per-job temp files")
      ->transform(mkvfleet::cli::AbsolutePath());
  app.add_option("--shared-work-dir", shared_work_dir,
                 "folder every agent mounts, for chunked re-encodes (must exist, writable)")
      ->transform(mkvfleet::cli::AbsolutePath());
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error");
  app.add_option("--claim-poll-ms", claim_poll_ms, "pause between claims while idle");
  app.add_option("--stop-grace-seconds", stop_grace_seconds,
                 "on SIGTERM, how long the running step may finish before it is cancelled");
  app.add_flag("--check", check, "check tools, space, library, coordinator and token, then exit");
  app.add_flag("--json", json, "with --check: machine-readable output");
  // Test-only knobs, hidden from --help.
  app.add_option("--pipeline", pipeline)->group("");
  app.add_option("--test-step-ms", test_step_ms)->group("");
  CLI11_PARSE(app, argc, argv);

  auto layers = mkvfleet::config::ConfigLayers::Load(config_file);
  if (!layers.ok()) {
    std::cerr << "mkv-agent: " << layers.status().message() << "\n";
    return 1;
  }
  if (!server.empty()) layers->SetFlag("server", server);
  if (!name.empty()) layers->SetFlag("name", name);
  if (!work_dir.empty()) layers->SetFlag("work_dir", work_dir);
  if (!shared_work_dir.empty()) layers->SetFlag("shared_work_dir", shared_work_dir);
  if (!log_level.empty()) layers->SetFlag("log_level", log_level);
  if (!pipeline.empty()) layers->SetFlag("pipeline", pipeline);
  if (test_step_ms > 0) layers->SetFlag("test_step_ms", std::to_string(test_step_ms));
  if (claim_poll_ms > 0) layers->SetFlag("claim_poll_ms", std::to_string(claim_poll_ms));
  if (stop_grace_seconds >= 0) {
    layers->SetFlag("stop_grace_seconds", std::to_string(stop_grace_seconds));
  }

  auto config = mkvfleet::agent::LoadAgentConfig(*layers);
  if (!config.ok()) {
    std::cerr << "mkv-agent: " << config.status().message() << "\n";
    return 1;
  }
  if (check) {
    const auto lines = mkvfleet::agent::RunAgentChecks(*config);
    std::cout << (json ? mkvfleet::doctor::FormatJson(lines) : mkvfleet::doctor::FormatText(lines));
    return mkvfleet::doctor::ExitCode(lines);
  }
  if (auto s = mkvfleet::log::InitLogging("mkv-agent", config->log_level); !s.ok()) {
    std::cerr << "mkv-agent: " << s.message() << "\n";
    return 1;
  }
  auto pipe =
      mkvfleet::agent::MakePipeline(config->pipeline, {config->test_step_duration, &*layers});
  if (!pipe.ok()) {
    std::cerr << "mkv-agent: " << pipe.status().message() << "\n";
    return 1;
  }

  auto chunk_settings =
      mkvfleet::agent::encode::ChunkRunnerSettingsFromConfig(&*layers, config->chunk_stall);
  if (!chunk_settings.ok()) {
    std::cerr << "mkv-agent: " << chunk_settings.status().message() << "\n";
    return 1;
  }

  mkvfleet::agent::AgentDaemon daemon(*std::move(config), *std::move(pipe),
                                      mkvfleet::agent::encode::MakeChunkStep(*chunk_settings));
  std::atomic<bool> run_ended{false};
  std::thread signal_thread([&] {
    while (true) {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      if (run_ended.load()) return;
      daemon.RequestStop();  // first: graceful; again: cancel the running step now
    }
  });
  absl::Status status = daemon.Run();
  // Wake the signal thread so it ends.
  run_ended = true;
  kill(getpid(), SIGTERM);
  signal_thread.join();
  if (!status.ok()) {
    std::cerr << "mkv-agent: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
