// mkv-coordinator: parse flags, load the config, run the coordinator until SIGINT/SIGTERM.
// Prints "mkv-coordinator listening on HOST:PORT" (the bound port) on stdout once serving; any
// refusal exits 1 with one line on stderr.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/cli/command_line.h"
#include "common/config/config_layers.h"
#include "common/log/grpc_log.h"
#include "common/log/log.h"
#include "server/coordinator_config.h"
#include "server/coordinator_server.h"
#include "server/ops/coordinator_ops.h"
#include "spdlog/spdlog.h"

namespace {

int Fail(const absl::Status& status) {
  std::cerr << "mkv-coordinator: " << status.message() << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mkvfleet coordinator: owns the job table and serves agents and mkvctl"};
  std::string listen, state_dir, output_dir, config_path, log_level;
  std::vector<std::string> libraries;
  auto* listen_opt = app.add_option("--listen", listen, "HOST:PORT to serve (default 127.0.0.1:7450)");
  auto* state_opt = app.add_option("--state-dir", state_dir, "folder for jobs.db")
                        ->transform(mkvfleet::cli::AbsolutePath());
  auto* lib_opt = app.add_option("--library", libraries, "library root (repeatable)")
                      ->transform(mkvfleet::cli::AbsolutePath());
  auto* out_opt = app.add_option("--output-dir", output_dir, "publish outputs under this folder")
                      ->transform(mkvfleet::cli::AbsolutePath());
  app.add_option("--config", config_path, "TOML config file (flags override it)")
      ->transform(mkvfleet::cli::AbsolutePath());
  mkvfleet::cli::AddVersionFlag(app, "mkv-coordinator");
  auto* log_opt = app.add_option("--log-level", log_level, "trace|debug|info|warn|error");
  std::string http_listen;
  auto* http_opt = app.add_option("--http-listen", http_listen,
                                  "HOST:PORT for the web dashboard, /metrics, /healthz (off unless set)");
  bool watch = false;
  std::string marker;
  auto* watch_opt = app.add_flag("--watch", watch,
                                 "watch the library roots and enqueue new .mkv files once settled");
  auto* marker_opt = app.add_option("--library-marker", marker,
                                    "file each library root must contain, or it counts as unmounted");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  auto layers = mkvfleet::config::ConfigLayers::Load(config_path);
  if (!layers.ok()) return Fail(layers.status());
  if (listen_opt->count()) layers->SetFlag("listen", listen);
  if (state_opt->count()) layers->SetFlag("state_dir", state_dir);
  if (lib_opt->count()) layers->SetFlagList("library_roots", libraries);
  if (out_opt->count()) layers->SetFlag("output_dir", output_dir);
  if (log_opt->count()) layers->SetFlag("log_level", log_level);
  if (http_opt->count()) layers->SetFlag("http_listen", http_listen);
  if (watch_opt->count()) layers->SetFlag("watch.enabled", watch ? "true" : "false");
  if (marker_opt->count()) layers->SetFlag("library.marker_file", marker);
  auto config = mkvfleet::server::LoadCoordinatorConfig(*layers);
  if (!config.ok()) return Fail(config.status());
  if (auto st = mkvfleet::log::InitLogging("mkv-coordinator", config->log_level); !st.ok()) {
    return Fail(st);
  }
  mkvfleet::log::RouteGrpcLogsToSpdlog();

  // Block the stop signals in every thread (inherited by threads started below) and wait for them
  // here, so shutdown runs on the main thread, not in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = mkvfleet::server::CoordinatorServer::Start(*config);
  if (!server.ok()) return Fail(server.status());
  std::cout << "mkv-coordinator listening on " << (*server)->address() << std::endl;
  // Dashboard, /metrics, /healthz, webhooks and sd_notify READY/STATUS/WATCHDOG (server/ops).
  auto ops = mkvfleet::ops::CoordinatorOps::Start(*layers, *config, **server);
  if (!ops.ok()) return Fail(ops.status());

  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("coordinator stopping signal={}", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  (*ops)->Stop();  // STOPPING=1; dashboard and webhooks down before the database closes
  (*server)->Shutdown();
  return 0;
}
