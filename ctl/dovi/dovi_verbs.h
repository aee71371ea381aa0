// Internal to ctl/dovi: each file adds its group of verbs to the `dovi` subcommand.
#pragma once

#include <CLI/CLI.hpp>

namespace mkvfleet::ctl {

void AddInfoVerb(CLI::App& dovi);     // info_command.cc
void AddRpuVerbs(CLI::App& dovi);     // rpu_commands.cc: convert-rpu, extract-rpu
void AddStreamVerbs(CLI::App& dovi);  // stream_commands.cc: inject-rpu, demux, mux, remove, convert

}  // namespace mkvfleet::ctl
