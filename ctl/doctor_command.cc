// mkvctl doctor: is this machine and its coordinator ready to convert? The media tools, free
// space in the temp dir, the library roots, the coordinator (reachable, admin token accepted) and
// the clock skew against it; one ok / warning / error line each, exit 1 when any is an error.
//   mkvctl doctor [--library DIR]... [--marker NAME] [--temp-dir DIR] [--json]
// Without flags, library_roots, library_marker, work_dir and [tools] come from --config / env.
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>

#include "absl/time/clock.h"
#include "common/config/config_layers.h"
#include "common/doctor/check_report.h"
#include "common/doctor/host_checks.h"
#include "common/doctor/tool_checks.h"
#include "ctl/commands.h"

namespace mkvfleet::ctl {
namespace {

struct DoctorOptions {
  std::vector<std::string> libraries;
  std::string marker;
  std::string temp_dir;
};

// The coordinator lines: one GetServerInfo call with the admin token.
void CheckCoordinator(const GlobalOptions& options, std::vector<doctor::CheckLine>& lines) {
  auto client = AdminClient::Connect(options);
  if (!client.ok()) {
    lines.push_back(doctor::Error("coordinator", std::string(client.status().message()),
                                  "pass --server HOST:PORT (or set MKVFLEET_SERVER)"));
    return;
  }
  auto layers = config::ConfigLayers::Load(options.config_file);
  bool token_set = !options.token.empty();
  if (!token_set && layers.ok()) {
    auto t = layers->GetString("admin_token");
    token_set = t.ok() && !t->empty();
  }
  v1::ServerInfo info;
  auto rpc = client->Context();
  const absl::Time sent = absl::Now();
  grpc::Status s = client->stub().GetServerInfo(rpc.get(), v1::ServerInfoRequest(), &info);
  const absl::Time received = absl::Now();
  const absl::Status call(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  for (auto& l :
       doctor::CheckCoordinatorCall(client->server(), doctor::TokenRole::kAdmin, token_set, call)) {
    lines.push_back(std::move(l));
  }
  if (s.ok()) {
    lines.push_back(
        doctor::CheckClockSkew(sent, received, absl::FromUnixMillis(info.server_time_ms())));
  }
}

int RunDoctor(const CtlCommandContext& ctx, const DoctorOptions& opts) {
  std::vector<doctor::CheckLine> lines;
  auto layers = config::ConfigLayers::Load(ctx.options.config_file);
  if (!layers.ok()) return Fail(layers.status());
  std::map<std::string, std::string> tool_paths;
  if (auto t = layers->GetTable("tools"); t.ok()) tool_paths = *t;
  const char* path_env = std::getenv("PATH");
  for (const auto& name : doctor::MediaToolNames()) {
    auto it = tool_paths.find(name);
    lines.push_back(doctor::CheckTool(doctor::ProbeTool(
        name, it != tool_paths.end() ? it->second : "", path_env ? path_env : "")));
  }

  std::string temp_dir = opts.temp_dir;
  if (temp_dir.empty()) {
    auto w = layers->GetString("work_dir");
    temp_dir = w.ok() && !w->empty() ? *w : "/tmp";
  }
  lines.push_back(doctor::CheckFreeSpace("temp dir", temp_dir, doctor::FreeBytes(temp_dir)));

  std::vector<std::string> libraries = opts.libraries;
  if (libraries.empty()) {
    if (auto l = layers->GetStringList("library_roots"); l.ok()) libraries = *l;
  }
  std::string marker = opts.marker;
  if (marker.empty()) {
    if (auto m = layers->GetString("library_marker"); m.ok()) marker = *m;
  }
  if (libraries.empty()) {
    lines.push_back(doctor::Warning("library", "no library root given: not checked",
                                    "pass --library DIR (or --config with library_roots)"));
  }
  for (const auto& root : libraries) {
    lines.push_back(doctor::CheckLibraryRoot(root, marker, doctor::InspectDir(root, marker)));
  }

  CheckCoordinator(ctx.options, lines);
  std::cout << (ctx.options.json ? doctor::FormatJson(lines) : doctor::FormatText(lines));
  return doctor::ExitCode(lines);
}

}  // namespace

void AddDoctorCommand(CLI::App& app, CtlCommandContext& ctx) {
  auto opts = std::make_shared<DoctorOptions>();
  CLI::App* cmd = app.add_subcommand(
      "doctor", "check tools, temp space, library mount, coordinator, token and clock skew");
  cmd->add_option("--library", opts->libraries, "library root to check (repeatable)");
  cmd->add_option("--marker", opts->marker, "file every library root must contain");
  cmd->add_option("--temp-dir", opts->temp_dir, "folder whose free space matters (default /tmp)");
  cmd->callback([&ctx, opts] { ctx.action = [&ctx, opts] { return RunDoctor(ctx, *opts); }; });
}

}  // namespace mkvfleet::ctl
