// mkvctl verbs, one file per group: job_commands.cc (enqueue, scan, list, show, logs, reset,
// cancel), agent_commands.cc (agents, drain), watch_command.cc (watch), doctor_command.cc
// (doctor); the offline dovi verbs (ctl/dovi/dovi_commands.h) fill the same action slot. Each Add*
// registers its verbs; the chosen verb's CLI11 callback stores its action, which main runs after
// parsing, so no exception crosses a verb.
#pragma once

#include <functional>

#include "CLI/CLI.hpp"
#include "ctl/admin_client.h"

namespace mkvfleet::ctl {

// What main hands every verb: the global options (filled by parsing) and the slot for the action.
struct CtlCommandContext {
  GlobalOptions options;
  std::function<int()> action;  // returns the process exit code
};

void AddJobCommands(CLI::App& app, CtlCommandContext& ctx);
void AddAgentCommands(CLI::App& app, CtlCommandContext& ctx);
void AddWatchCommand(CLI::App& app, CtlCommandContext& ctx);
void AddDoctorCommand(CLI::App& app, CtlCommandContext& ctx);

// Connects with ctx.options and runs `body`, turning a connection failure into Fail().
int WithClient(const CtlCommandContext& ctx, const std::function<int(AdminClient&)>& body);

}  // namespace mkvfleet::ctl
