// Registers the offline Dolby Vision verbs of mkvctl: `mkvctl dovi <verb>` (info, convert-rpu,
// extract-rpu, inject-rpu, demux, mux, remove, convert) and `mkvctl gen-sample`. They work on
// local files only and never talk to the coordinator. On failure a verb prints one line to
// stderr naming the file and the problem and exits with status 1.
#pragma once

#include <CLI/CLI.hpp>

namespace mkvfleet::ctl {

// Adds the `dovi` subcommand and its verbs to `app`.
void AddDoviCommands(CLI::App& app);
// Adds `gen-sample` (real Dolby Vision / HDR10 / SDR test MKVs) to `app`.
void AddGenSampleCommand(CLI::App& app);

}  // namespace mkvfleet::ctl
