// Internal to ctl/dovi: each file adds its group of verbs to the `dovi` subcommand; the chosen
// verb stores its work in `action` (see dovi_commands.h).
#pragma once

#include <CLI/CLI.hpp>

#include "ctl/dovi/dovi_commands.h"

namespace mkvfleet::ctl {

// analyze_command.cc: analyze.
void AddAnalyzeVerb(CLI::App& dovi, VerbAction& action);
// info_command.cc: info.
void AddInfoVerb(CLI::App& dovi, VerbAction& action);
// plot_command.cc: plot.
void AddPlotVerb(CLI::App& dovi, VerbAction& action);
// rpu_commands.cc: convert-rpu, extract-rpu.
void AddRpuVerbs(CLI::App& dovi, VerbAction& action);
// stream_commands.cc: inject-rpu, demux, mux, remove, convert.
void AddStreamVerbs(CLI::App& dovi, VerbAction& action);

}  // namespace mkvfleet::ctl
