// Wires the dovi verb groups under `mkvctl dovi`.
#include "ctl/dovi/dovi_commands.h"

#include "common/libav/matroska_reader.h"
#include "ctl/dovi/dovi_verbs.h"

namespace mkvfleet::ctl {

void AddDoviCommands(CLI::App& app, VerbAction& action) {
  CLI::App* dovi = app.add_subcommand(
      "dovi", "Offline Dolby Vision tools: RPU info/plot/convert/extract/inject, dual-layer demux/mux, "
              "EL removal and the lossless profile 7 -> 8.1 stream conversion");
  dovi->require_subcommand(1);
  // libav would print its own diagnostics; every verb reports one line of its own instead.
  dovi->preparse_callback([](size_t) { libav::QuietLibavLogging(); });
  AddInfoVerb(*dovi, action);
  AddAnalyzeVerb(*dovi, action);
  AddPlotVerb(*dovi, action);
  AddRpuVerbs(*dovi, action);
  AddStreamVerbs(*dovi, action);
}

}  // namespace mkvfleet::ctl
