// `mkvctl dovi plot FILE -o OUT.svg`: the title's Dolby Vision brightness over time (per-frame L1
// max and average in nits, scene starts marked) drawn offline as one SVG file, the same picture
// the dashboard's job page shows.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dovi/rpu.h"
#include "common/fs/scratch_files.h"
#include "common/plot/brightness_svg.h"
#include "common/status/status_macros.h"
#include "ctl/dovi/cli_support.h"
#include "ctl/dovi/dovi_verbs.h"
#include "ctl/dovi/input_kind.h"
#include "ctl/dovi/rpu_input.h"

namespace mkvfleet::ctl {
namespace {

// How many buckets the offline plot folds a title into (about one per horizontal pixel).
constexpr int kPlotBuckets = 1200;

struct PlotArgs {
  std::string input;
  std::string output;
  std::string title;
  int width = 1280;
  int height = 400;
};

absl::Status RunPlot(const PlotArgs& a) {
  ASSIGN_OR_RETURN(InputKind kind, NameFile(a.input, DetectInputKind(a.input)));
  std::vector<plot::FrameBrightness> frames;
  std::optional<libav::VideoTrackInfo> video;
  auto add = [&frames](absl::Span<const uint8_t> payload) -> absl::Status {
    ASSIGN_OR_RETURN(dovi::Rpu rpu, dovi::ParseRpu(payload));
    plot::FrameBrightness f;
    if (rpu.vdr_dm_data) {
      if (const dovi::DmLevel1* l1 = rpu.vdr_dm_data->level1(); l1 != nullptr) {
        f.max_pq = l1->max_pq;
        f.avg_pq = l1->avg_pq;
      }
      f.scene_start = rpu.vdr_dm_data->scene_refresh_flag != 0;
    }
    frames.push_back(f);
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(NameFile(a.input, ForEachRpu(a.input, kind, add, &video)));
  plot::BrightnessPlotOptions options;
  options.title = a.title.empty() ? std::filesystem::path(a.input).filename().string() : a.title;
  options.width = a.width;
  options.height = a.height;
  if (video && video->frame_rate.value() > 0) options.fps = video->frame_rate.value();
  const plot::BrightnessSeries series = plot::FoldBrightness(frames, kPlotBuckets);
  const std::string svg = plot::RenderBrightnessSvg(series, options);
  RETURN_IF_ERROR(WriteAtomically(
      a.output, [&svg](const std::string& temp) { return fs::WriteWholeFile(temp, svg); }));
  std::cout << a.output << ": " << series.frames << " frames, " << series.scene_starts
            << " scene starts\n";
  return absl::OkStatus();
}

}  // namespace

void AddPlotVerb(CLI::App& dovi, VerbAction& action) {
  auto args = std::make_shared<PlotArgs>();
  CLI::App* c = dovi.add_subcommand(
      "plot", "Draw the Dolby Vision brightness over time (L1 max and average in nits, scene "
              "starts) of an RPU file, HEVC stream or MKV as an SVG file");
  c->add_option("file", args->input, "RPU file, HEVC stream (Annex B) or MKV (detected by content)")
      ->required();
  c->add_option("-o,--output", args->output, "the SVG file to write")->required();
  c->add_option("--title", args->title, "title drawn above the plot (default: the file name)");
  c->add_option("--width", args->width, "picture width in px")->check(CLI::Range(240, 8000));
  c->add_option("--height", args->height, "picture height in px")->check(CLI::Range(160, 4000));
  c->callback(Verb(action, [args] { return RunPlot(*args); }));
}

}  // namespace mkvfleet::ctl
