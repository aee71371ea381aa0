// Registers the offline Dolby Vision verbs of mkvctl: `mkvctl dovi <verb>` (info, convert-rpu,
// extract-rpu, inject-rpu, demux, mux, remove, convert) and `mkvctl gen-sample`. They work on
// local files only and never talk to the coordinator. Like the admin verbs (ctl/commands.h), the
// chosen verb's CLI11 callback only stores its action, which main runs after parsing; the action
// returns the exit code: 0, or 1 after one stderr line naming the file and the problem.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace mkvfleet::ctl {

// main's slot for the chosen verb's work (CtlCommandContext::action): returns the exit code.
using VerbAction = std::function<int()>;

// Adds the `dovi` subcommand and its verbs to `app`; the chosen one fills `action`.
void AddDoviCommands(CLI::App& app, VerbAction& action);
// Adds `gen-sample` (real Dolby Vision / HDR10 / SDR test MKVs) to `app`; it fills `action`.
void AddGenSampleCommand(CLI::App& app, VerbAction& action);

}  // namespace mkvfleet::ctl
