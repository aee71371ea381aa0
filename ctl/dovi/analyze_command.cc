// `mkvctl dovi analyze FILE [--json] [--samples N]`: how much a profile 7 title's enhancement
// layer changes the picture, from N frames sampled over the title (seek, decode only those):
// el_type (FEL/MEL), fel_class (mel/simple/complex), the share of changed pixels, the largest
// change and the one-line reason. MEL is decided from the RPUs without decoding.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/dovi/analyze/title_analysis.h"
#include "common/libav/dual_layer_sampler.h"
#include "common/status/status_macros.h"
#include "ctl/dovi/cli_support.h"
#include "ctl/dovi/dovi_verbs.h"

namespace mkvfleet::ctl {
namespace {

using dovi::analyze::ElChange;
using dovi::analyze::TitleAnalysis;

// Ten to twelve slices is what dovi_convert samples too; each costs at most one GOP decode.
constexpr int kDefaultSamples = 12;

struct AnalyzeArgs {
  std::string input;
  bool json = false;
  int samples = kDefaultSamples;
};

nlohmann::json ChangeJson(const ElChange& c) {
  return {{"changed_pixels_share", c.changed_share()},
          {"visible_pixels_share", c.visible_share()},
          {"max_change_pq", c.max_change_10()},
          {"max_change_nits", c.max_change_nits}};
}

nlohmann::json AnalysisJson(const std::string& file, int samples, const TitleAnalysis& a) {
  nlohmann::json j;
  j["file"] = file;
  j["el_type"] = a.el_type ? nlohmann::json(*a.el_type) : nlohmann::json(nullptr);
  j["fel_class"] = a.fel_class ? nlohmann::json(dovi::analyze::FelClassName(*a.fel_class))
                               : nlohmann::json(nullptr);
  j["profile"] = a.profile;
  j["frame_count"] = a.frame_count;
  j["samples"] = samples;
  j["frames_sampled"] = a.frames_sampled;
  j["decoded"] = a.decoded;
  // The numbers exist only when frames were decoded (an FEL); null otherwise.
  const nlohmann::json total = a.decoded ? ChangeJson(a.total) : nlohmann::json();
  for (const char* key :
       {"changed_pixels_share", "visible_pixels_share", "max_change_pq", "max_change_nits"}) {
    j[key] = a.decoded ? total[key] : nlohmann::json(nullptr);
  }
  j["frames"] = nlohmann::json::array();
  for (const dovi::analyze::FrameElChange& f : a.frames) {
    nlohmann::json row = ChangeJson(f.change);
    row["frame"] = f.frame;
    j["frames"].push_back(std::move(row));
  }
  j["thresholds"] = {{"changed_code_values", dovi::analyze::kChangedThreshold12 / 4},
                     {"visible_code_values", dovi::analyze::kVisibleThreshold12 / 4},
                     {"complex_min_visible_share", dovi::analyze::kComplexMinVisibleShare}};
  j["reason"] = a.reason;
  return j;
}

std::string AnalysisText(const std::string& file, const TitleAnalysis& a) {
  std::string out;
  if (a.el_type) {
    absl::StrAppendFormat(&out, "%s, %s: %s\n", *a.el_type,
                          a.fel_class ? dovi::analyze::FelClassName(*a.fel_class) : "-", a.reason);
  } else {
    absl::StrAppendFormat(&out, "no enhancement layer: %s\n", a.reason);
  }
  absl::StrAppendFormat(&out, "  file:            %s\n", file);
  absl::StrAppendFormat(&out, "  frames sampled:  %d of %d (%s)\n", a.frames_sampled.size(),
                        a.frame_count, absl::StrJoin(a.frames_sampled, ", "));
  if (!a.decoded) {
    absl::StrAppendFormat(&out, "  decoded:         no\n");
    return out;
  }
  absl::StrAppendFormat(&out, "  changed pixels:  %.3f%% by > %d code value, %.3f%% by > %d\n",
                        100.0 * a.total.changed_share(), dovi::analyze::kChangedThreshold12 / 4,
                        100.0 * a.total.visible_share(), dovi::analyze::kVisibleThreshold12 / 4);
  absl::StrAppendFormat(&out, "  largest change:  %.2f PQ code values (10-bit), %.1f nits\n",
                        a.total.max_change_10(), a.total.max_change_nits);
  return out;
}

absl::Status RunAnalyze(const AnalyzeArgs& a) {
  ASSIGN_OR_RETURN(std::unique_ptr<libav::DualLayerSampler> sampler,
                   NameFile(a.input, libav::DualLayerSampler::Open(a.input)));
  ASSIGN_OR_RETURN(TitleAnalysis analysis,
                   NameFile(a.input, dovi::analyze::AnalyzeTitle(*sampler, a.samples)));
  if (a.json) {
    std::cout << AnalysisJson(a.input, a.samples, analysis).dump(2) << std::endl;
  } else {
    std::cout << AnalysisText(a.input, analysis) << std::flush;
  }
  return absl::OkStatus();
}

}  // namespace

void AddAnalyzeVerb(CLI::App& dovi, VerbAction& action) {
  auto args = std::make_shared<AnalyzeArgs>();
  CLI::App* c = dovi.add_subcommand(
      "analyze",
      "Measure how much a profile 7 MKV's enhancement layer changes the picture (N "
      "sampled frames composed with and without it): FEL/MEL and mel/simple/complex");
  c->add_option("file", args->input, "Dolby Vision MKV (profile 7 dual layer)")->required();
  c->add_option("--samples", args->samples, "frames to sample, spread over the title")
      ->check(CLI::Range(1, 1000));
  c->add_flag("--json", args->json, "Print one JSON object instead of text");
  c->callback(Verb(action, [args, global_json = GlobalJsonGiven(dovi)] {
    if (global_json()) args->json = true;
    return RunAnalyze(*args);
  }));
}

}  // namespace mkvfleet::ctl
