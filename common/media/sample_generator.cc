// The generator's steps, in order: RPUs, video layers, dual-layer mux, audio, side files, mkvmerge.
#include "common/media/sample_generator.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dvstream/byte_io.h"
#include "common/dvstream/operations.h"
#include "common/media/encode_args.h"
#include "common/media/sample_rpus.h"
#include "common/media/scratch_files.h"
#include "common/media/tool_runner.h"

namespace mkvfleet::media {
namespace {

void Step(const GenerateOptions& options, absl::string_view what) {
  if (options.on_step) options.on_step(what);
}

absl::Status EncodeLayer(const SampleSpec& spec, const X265Layer& layer, const std::string& out,
                         const GenerateOptions& options) {
  return RunPipeline(PatternArgs(spec, layer.width, layer.height, layer.ten_bit),
                     X265Args(spec, layer, out), options.tool_timeout);
}

// BL + EL(+RPU) -> one single-track dual-layer stream.
absl::Status MuxLayers(const std::string& bl_path, const std::string& el_path,
                       const std::string& out_path, int expected_frames) {
  auto bl = dvstream::FileSource::Open(bl_path);
  if (!bl.ok()) return bl.status();
  auto el = dvstream::FileSource::Open(el_path);
  if (!el.ok()) return el.status();
  auto out = dvstream::FileSink::Create(out_path);
  if (!out.ok()) return out.status();
  absl::StatusOr<dvstream::StreamStats> stats = dvstream::Mux(**bl, **el, **out);
  if (!stats.ok()) return stats.status();
  if (absl::Status s = (*out)->Flush(); !s.ok()) return s;
  if (stats->access_units != static_cast<uint64_t>(expected_frames) ||
      stats->rpus != static_cast<uint64_t>(expected_frames)) {
    return absl::InternalError(absl::StrCat("dual-layer mux made ", stats->access_units,
                                            " frames with ", stats->rpus, " RPUs, expected ",
                                            expected_frames));
  }
  return absl::OkStatus();
}

// Builds the video elementary stream of `spec` in `dir`; returns its path.
absl::StatusOr<std::string> MakeVideo(const SampleSpec& spec, const ScratchDir& dir,
                                      const GenerateOptions& options) {
  X265Layer bl;
  bl.width = spec.width;
  bl.height = spec.height;
  bl.hdr = IsHdr(spec.kind);
  bl.ten_bit = IsHdr(spec.kind);
  std::string rpu_path;
  if (IsDolbyVision(spec.kind)) {
    Step(options, absl::StrCat("build ", spec.frame_count(), " RPUs (",
                               SampleKindName(spec.kind), ", per-frame L1)"));
    absl::StatusOr<std::vector<uint8_t>> rpus = BuildSampleRpuFile(spec.kind, spec.frame_count());
    if (!rpus.ok()) return rpus.status();
    rpu_path = dir.File("rpu.bin");
    if (absl::Status s = WriteWholeFile(rpu_path, std::string(rpus->begin(), rpus->end()));
        !s.ok()) {
      return s;
    }
  }
  if (!IsDualLayer(spec.kind)) {
    bl.rpu_path = rpu_path;
    std::string out = dir.File("video.hevc");
    Step(options, absl::StrCat("encode video ", spec.width, "x", spec.height));
    if (absl::Status s = EncodeLayer(spec, bl, out, options); !s.ok()) return s;
    return out;
  }
  std::string bl_path = dir.File("bl.hevc");
  Step(options, absl::StrCat("encode base layer ", spec.width, "x", spec.height));
  if (absl::Status s = EncodeLayer(spec, bl, bl_path, options); !s.ok()) return s;

  X265Layer el = bl;
  el.width = spec.el_width();
  el.height = spec.el_height();
  el.rpu_path = rpu_path;  // the EL carries the RPUs into the mux, as on a disc
  std::string el_path = dir.File("el.hevc");
  Step(options, absl::StrCat("encode enhancement layer ", el.width, "x", el.height));
  if (absl::Status s = EncodeLayer(spec, el, el_path, options); !s.ok()) return s;

  std::string out = dir.File("video.hevc");
  Step(options, "mux base and enhancement layer");
  if (absl::Status s = MuxLayers(bl_path, el_path, out, spec.frame_count()); !s.ok()) return s;
  return out;
}

}  // namespace

absl::Status GenerateSample(const SampleSpec& spec, const std::string& out_path,
                            const GenerateOptions& options) {
  if (absl::Status s = ValidateSampleSpec(spec); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<ScratchDir>> dir = ScratchDir::Create("mkvfleet-gen-sample");
  if (!dir.ok()) return dir.status();
  // Reserve the output first so an unwritable folder fails before minutes of encoding.
  absl::StatusOr<std::unique_ptr<AtomicOutput>> out = AtomicOutput::Create(out_path);
  if (!out.ok()) return out.status();

  absl::StatusOr<std::string> video = MakeVideo(spec, **dir, options);
  if (!video.ok()) return video.status();

  MuxInputs in;
  in.video_hevc = *video;
  in.audio = {{(*dir)->File("eng.ac3"), "eng", "English (AC-3 stereo)"},
              {(*dir)->File("fra.flac"), "fra", "Français (FLAC stereo)"}};
  in.subtitles = {{(*dir)->File("eng.srt"), "eng", "English"}};
  in.chapters = (*dir)->File("chapters.txt");
  Step(options, "make audio, subtitles and chapters");
  if (absl::Status s = RunTool(ToneArgs(spec, 440, "ac3", in.audio[0].path), options.tool_timeout);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = RunTool(ToneArgs(spec, 660, "flac", in.audio[1].path), options.tool_timeout);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = WriteWholeFile(in.subtitles[0].path, SampleSubtitlesSrt(spec)); !s.ok()) {
    return s;
  }
  if (absl::Status s = WriteWholeFile(in.chapters, SampleChaptersOgm(spec)); !s.ok()) return s;

  Step(options, "mux MKV with mkvmerge");
  // mkvmerge exits 1 when it only warned; the file is complete then.
  if (absl::Status s = RunTool(MkvmergeArgs(spec, in, (*out)->temp_path()), options.tool_timeout,
                               {0, 1});
      !s.ok()) {
    return s;
  }
  return (*out)->Commit();
}

}  // namespace mkvfleet::media
