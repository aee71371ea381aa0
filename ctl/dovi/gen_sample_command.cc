// `mkvctl gen-sample`: real Dolby Vision / HDR10 / SDR test MKVs made with x265 and mkvmerge.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/samplegen/sample_generator.h"
#include "common/samplegen/sample_spec.h"
#include "common/status/status_macros.h"
#include "ctl/dovi/cli_support.h"
#include "ctl/dovi/dovi_commands.h"

namespace mkvfleet::ctl {
namespace {

struct GenArgs {
  std::string kind;
  std::string output;
  std::string size = "256x144";
  int seconds = 2;
  int fps = 24;
  std::string preset = "ultrafast";
  int scene_every = 0;
  std::vector<int> drop_rpus;
  std::vector<int> duplicate_rpus;
  bool quiet = false;
};

absl::Status RunGenSample(const GenArgs& a) {
  samplegen::SampleSpec spec;
  ASSIGN_OR_RETURN(spec.kind, samplegen::ParseSampleKind(a.kind));
  RETURN_IF_ERROR(samplegen::ParseFrameSize(a.size, spec.width, spec.height));
  spec.seconds = a.seconds;
  spec.fps = a.fps;
  spec.x265_preset = a.preset;
  spec.scene_every = a.scene_every;
  spec.drop_rpus = a.drop_rpus;
  spec.duplicate_rpus = a.duplicate_rpus;
  RETURN_IF_ERROR(samplegen::ValidateSampleSpec(spec));
  samplegen::GenerateOptions options;
  if (!a.quiet) {
    options.on_step = [](absl::string_view step) { std::cerr << "gen-sample: " << step << "\n"; };
  }
  RETURN_IF_ERROR(NameFile(a.output, samplegen::GenerateSample(spec, a.output, options)));
  if (!a.quiet) {
    std::cout << a.output << ": " << samplegen::SampleKindName(spec.kind) << " " << spec.width
              << "x" << spec.height << ", " << spec.frame_count() << " frames at " << spec.fps
              << " fps\n";
  }
  return absl::OkStatus();
}

}  // namespace

void AddGenSampleCommand(CLI::App& app, VerbAction& action) {
  auto a = std::make_shared<GenArgs>();
  CLI::App* c = app.add_subcommand(
      "gen-sample",
      "Generate a real test MKV: x265 video (p7-mel / p7-fel: dual-layer Dolby Vision profile 7 "
      "with a half-size EL; p8.1: Dolby Vision 8.1; hdr10; sdr), two audio tracks (eng AC-3, "
      "fra FLAC), an English SRT subtitle track and two chapters. Needs ffmpeg, x265, mkvmerge.");
  c->add_option("--kind,-k", a->kind, "p7-mel, p7-fel, p8.1, hdr10 or sdr")
      ->required()
      ->check(CLI::IsMember({"p7-mel", "p7-fel", "p8.1", "hdr10", "sdr"}));
  c->add_option("-o,--output", a->output, "MKV to write (atomically)")->required();
  c->add_option("--size", a->size, "WIDTHxHEIGHT, multiples of 4 (default 256x144)");
  c->add_option("--seconds", a->seconds, "Duration in seconds (default 2)");
  c->add_option("--fps", a->fps, "Frames per second (default 24)");
  c->add_option("--preset", a->preset, "x265 preset (default ultrafast)");
  c->add_option("--scene-every", a->scene_every,
                "Dolby Vision kinds: a scene starts every N frames (scene_refresh_flag in their "
                "RPUs; default 0 = one scene from frame 0)");
  c->add_option("--drop-rpus", a->drop_rpus,
                "Dolby Vision kinds: frames (display order, from 0) whose RPU is left out, e.g. "
                "5,94,95 (a defect of real rips)")
      ->delimiter(',');
  c->add_option("--duplicate-rpus", a->duplicate_rpus,
                "Dolby Vision kinds: frames (display order) that carry their RPU twice, e.g. 10")
      ->delimiter(',');
  c->add_flag("--quiet,-q", a->quiet, "Print nothing on success");
  c->callback(Verb(action, [a] { return RunGenSample(*a); }));
}

}  // namespace mkvfleet::ctl
