// The generator's steps, in order: RPUs, video layers, dual-layer mux, RPU defects, audio, side
// files, mkvmerge.
#include "common/samplegen/sample_generator.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dvstream/byte_io.h"
#include "common/dvstream/operations.h"
#include "common/fs/scratch_files.h"
#include "common/samplegen/sample_commands.h"
#include "common/samplegen/sample_rpus.h"
#include "common/samplegen/tool_runner.h"
#include "common/status/status_macros.h"

namespace mkvfleet::samplegen {
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
  ASSIGN_OR_RETURN(auto bl, dvstream::FileSource::Open(bl_path));
  ASSIGN_OR_RETURN(auto el, dvstream::FileSource::Open(el_path));
  ASSIGN_OR_RETURN(auto out, dvstream::FileSink::Create(out_path));
  ASSIGN_OR_RETURN(dvstream::StreamStats stats, dvstream::Mux(*bl, *el, *out));
  RETURN_IF_ERROR(out->Flush());
  if (stats.access_units != static_cast<uint64_t>(expected_frames) ||
      stats.rpus != static_cast<uint64_t>(expected_frames)) {
    return absl::InternalError(absl::StrCat("dual-layer mux made ", stats.access_units,
                                            " frames with ", stats.rpus, " RPUs, expected ",
                                            expected_frames));
  }
  return absl::OkStatus();
}

// Rewrites `video` into `out` with each frame's RPU (display order, from `rpu_path`) repeated
// spec.RpuCopies(frame) times: the RPU defects of real rips.
absl::Status ApplyRpuDefects(const SampleSpec& spec, const std::string& video,
                             const std::string& rpu_path, const std::string& out_path) {
  auto opener = [](const std::string& path) -> dvstream::SourceOpener {
    return [path]() -> absl::StatusOr<std::unique_ptr<dvstream::ByteSource>> {
      ASSIGN_OR_RETURN(auto source, dvstream::FileSource::Open(path));
      return std::unique_ptr<dvstream::ByteSource>(std::move(source));
    };
  };
  dvstream::InjectOptions options;
  options.rpu_copies = [&spec](uint64_t frame) { return spec.RpuCopies(static_cast<int>(frame)); };
  ASSIGN_OR_RETURN(auto out, dvstream::FileSink::Create(out_path));
  ASSIGN_OR_RETURN(dvstream::StreamStats stats,
                   dvstream::InjectRpus(opener(video), opener(rpu_path), *out, options));
  RETURN_IF_ERROR(out->Flush());
  if (stats.access_units != static_cast<uint64_t>(spec.frame_count())) {
    return absl::InternalError(absl::StrCat("RPU defects: rewrote ", stats.access_units,
                                            " frames, expected ", spec.frame_count()));
  }
  return absl::OkStatus();
}

// Builds the video elementary stream of `spec` in `dir`; returns its path.
absl::StatusOr<std::string> MakeVideo(const SampleSpec& spec, const fs::ScratchDir& dir,
                                      const GenerateOptions& options) {
  X265Layer bl;
  bl.width = spec.width;
  bl.height = spec.height;
  bl.hdr = IsHdr(spec.kind);
  bl.ten_bit = IsHdr(spec.kind);
  std::string rpu_path;
  if (IsDolbyVision(spec.kind)) {
    Step(options, absl::StrCat("build ", spec.frame_count(), " RPUs (", SampleKindName(spec.kind),
                               ", per-frame L1",
                               spec.scene_every > 0
                                   ? absl::StrCat(", a scene every ", spec.scene_every, " frames")
                                   : "",
                               ")"));
    ASSIGN_OR_RETURN(std::vector<uint8_t> rpus,
                     BuildSampleRpuFile(spec.kind, spec.frame_count(), spec.scene_every));
    rpu_path = dir.File("rpu.bin");
    RETURN_IF_ERROR(fs::WriteWholeFile(rpu_path, std::string(rpus.begin(), rpus.end())));
  }
  if (!IsDualLayer(spec.kind)) {
    bl.rpu_path = rpu_path;
    std::string out = dir.File("video.hevc");
    Step(options, absl::StrCat("encode video ", spec.width, "x", spec.height));
    RETURN_IF_ERROR(EncodeLayer(spec, bl, out, options));
    return out;
  }
  std::string bl_path = dir.File("bl.hevc");
  Step(options, absl::StrCat("encode base layer ", spec.width, "x", spec.height));
  RETURN_IF_ERROR(EncodeLayer(spec, bl, bl_path, options));

  X265Layer el = bl;
  el.width = spec.el_width();
  el.height = spec.el_height();
  el.rpu_path = rpu_path;  // the EL carries the RPUs into the mux, as on a disc
  std::string el_path = dir.File("el.hevc");
  Step(options, absl::StrCat("encode enhancement layer ", el.width, "x", el.height));
  RETURN_IF_ERROR(EncodeLayer(spec, el, el_path, options));

  std::string out = dir.File("video.hevc");
  Step(options, "mux base and enhancement layer");
  RETURN_IF_ERROR(MuxLayers(bl_path, el_path, out, spec.frame_count()));
  return out;
}

}  // namespace

absl::Status GenerateSample(const SampleSpec& spec, const std::string& out_path,
                            const GenerateOptions& options) {
  RETURN_IF_ERROR(ValidateSampleSpec(spec));
  ASSIGN_OR_RETURN(std::unique_ptr<fs::ScratchDir> dir,
                   fs::ScratchDir::Create("mkvfleet-gen-sample"));
  // Reserve the output first so an unwritable folder fails before minutes of encoding.
  ASSIGN_OR_RETURN(std::unique_ptr<fs::AtomicOutput> out, fs::AtomicOutput::Create(out_path));

  ASSIGN_OR_RETURN(std::string video, MakeVideo(spec, *dir, options));
  if (spec.HasRpuDefects()) {
    Step(options, absl::StrCat("RPU defects: ", spec.drop_rpus.size(), " frames without, ",
                               spec.duplicate_rpus.size(), " with two"));
    const std::string defective = dir->File("video-defects.hevc");
    RETURN_IF_ERROR(ApplyRpuDefects(spec, video, dir->File("rpu.bin"), defective));
    video = defective;
  }

  MuxInputs in;
  in.video_hevc = video;
  in.audio = {{dir->File("eng.ac3"), "eng", "English (AC-3 stereo)"},
              {dir->File("fra.flac"), "fra", "Français (FLAC stereo)"}};
  in.subtitles = {{dir->File("eng.srt"), "eng", "English"}};
  in.chapters = dir->File("chapters.txt");
  Step(options, "make audio, subtitles and chapters");
  RETURN_IF_ERROR(RunTool(ToneArgs(spec, 440, "ac3", in.audio[0].path), options.tool_timeout));
  RETURN_IF_ERROR(RunTool(ToneArgs(spec, 660, "flac", in.audio[1].path), options.tool_timeout));
  RETURN_IF_ERROR(fs::WriteWholeFile(in.subtitles[0].path, SampleSubtitlesSrt(spec)));
  RETURN_IF_ERROR(fs::WriteWholeFile(in.chapters, SampleChaptersOgm(spec)));

  Step(options, "mux MKV with mkvmerge");
  // mkvmerge exits 1 when it only warned; the file is complete then.
  RETURN_IF_ERROR(RunTool(MkvmergeArgs(spec, in, out->temp_path()), options.tool_timeout, {0, 1}));
  return out->Commit();
}

}  // namespace mkvfleet::samplegen
