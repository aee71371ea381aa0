// `mkvctl dovi info FILE [--json]`: profile, EL type, RPU count, CM version and L1 statistics of
// an RPU file, an HEVC stream or an MKV (detected by content); for an MKV also its frames and
// which of them carry no RPU or several.
#include <iostream>
#include <memory>
#include <string>

#include "common/status/status_macros.h"
#include "ctl/dovi/cli_support.h"
#include "ctl/dovi/dovi_verbs.h"
#include "ctl/dovi/info_report.h"
#include "ctl/dovi/input_kind.h"
#include "ctl/dovi/rpu_input.h"

namespace mkvfleet::ctl {
namespace {

struct InfoArgs {
  std::string input;
  bool json = false;
};

absl::Status RunInfo(const InfoArgs& a) {
  ASSIGN_OR_RETURN(InputKind kind, NameFile(a.input, DetectInputKind(a.input)));
  InfoReport report;
  report.file = a.input;
  report.kind = kind;
  InfoCollector collector;
  auto add = [&collector](absl::Span<const uint8_t> rpu) { return collector.Add(rpu); };
  RETURN_IF_ERROR(NameFile(a.input, ForEachRpu(a.input, kind, add, &report.video, &report.census)));
  collector.Finish(&report);
  if (a.json) {
    std::cout << InfoJson(report).dump(2) << std::endl;
  } else {
    std::cout << InfoText(report) << std::flush;
  }
  return absl::OkStatus();
}

}  // namespace

void AddInfoVerb(CLI::App& dovi, VerbAction& action) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* c = dovi.add_subcommand(
      "info", "Summarize the Dolby Vision RPUs of an RPU file, HEVC stream or MKV: profile, "
              "FEL/MEL, RPU count, CM version, L1 (min/max/avg PQ) statistics");
  c->add_option("file", args->input, "RPU file, HEVC stream (Annex B) or MKV (detected by content)")
      ->required();
  c->add_flag("--json", args->json, "Print one JSON object instead of text");
  c->callback(Verb(action, [args, global_json = GlobalJsonGiven(dovi)] {
    if (global_json()) args->json = true;
    return RunInfo(*args);
  }));
}

}  // namespace mkvfleet::ctl
