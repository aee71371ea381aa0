// The HEVC stream verbs of `mkvctl dovi`: inject-rpu, demux, mux, remove and convert. Each reads
// Annex B inputs (never modified) and writes its outputs atomically through dvstream operations.
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/dvstream/byte_io.h"
#include "common/dvstream/operations.h"
#include "common/status/status_macros.h"
#include "ctl/dovi/cli_support.h"
#include "ctl/dovi/dovi_verbs.h"
#include "ctl/dovi/input_kind.h"

namespace mkvfleet::ctl {
namespace {

using dvstream::ByteSink;
using dvstream::StreamStats;
using hevc::StartCodeStyle;

StartCodeStyle Style(bool annexb) {
  return annexb ? StartCodeStyle::kAnnexB : StartCodeStyle::kFourByte;
}

// Fails, naming `path`, unless it holds what a verb expects.
absl::Status RequireKind(const std::string& path, InputKind want) {
  ASSIGN_OR_RETURN(InputKind kind, NameFile(path, DetectInputKind(path)));
  if (kind != want) {
    return NameFile(path, absl::InvalidArgumentError(absl::StrCat(
                              "is a ", InputKindName(kind), ", not a ", InputKindName(want))));
  }
  return absl::OkStatus();
}

// Opens an input; errors name `path`.
absl::StatusOr<std::unique_ptr<dvstream::FileSource>> OpenInput(const std::string& path) {
  return NameFile(path, dvstream::FileSource::Open(path));
}

dvstream::SourceOpener Opener(const std::string& path) {
  return [path]() -> absl::StatusOr<std::unique_ptr<dvstream::ByteSource>> {
    return dvstream::FileSource::Open(path);
  };
}

// Runs `op` into a sink on a temporary next to `out`, then renames it into place.
absl::Status WriteStream(const std::string& out,
                         const std::function<absl::StatusOr<StreamStats>(ByteSink&)>& op) {
  return WriteAtomically(out, [&op](const std::string& tmp) -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSink> sink, dvstream::FileSink::Create(tmp));
    RETURN_IF_ERROR(op(*sink));
    return sink->Flush();
  });
}

struct Args {
  std::string input, rpu, bl, el, output, bl_out, el_out;
  std::optional<int> mode;
  bool annexb = false, no_add_aud = false, allow_padding = false, discard_eos = false,
       discard = false;
};

absl::Status RunInject(const Args& a) {
  RETURN_IF_ERROR(RequireKind(a.input, InputKind::kAnnexB));
  RETURN_IF_ERROR(RequireKind(a.rpu, InputKind::kRpuFile));
  dvstream::InjectOptions o;
  o.style = Style(a.annexb);
  o.add_aud = !a.no_add_aud;
  o.allow_padding = a.allow_padding;
  absl::Status written = WriteStream(a.output, [&](ByteSink& out) {
    return dvstream::InjectRpus(Opener(a.input), Opener(a.rpu), out, o);
  });
  return NameFile(a.input, written);
}

absl::Status RunDemux(const Args& a) {
  RETURN_IF_ERROR(RequireKind(a.input, InputKind::kAnnexB));
  dvstream::LayerOptions o;
  o.style = Style(a.annexb);
  o.transform = TransformForMode(a.mode);
  absl::Status written = WriteAtomically(a.bl_out, [&](const std::string& bl_tmp) {
    return WriteStream(a.el_out, [&](ByteSink& el) -> absl::StatusOr<StreamStats> {
      ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSink> bl, dvstream::FileSink::Create(bl_tmp));
      ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSource> in, OpenInput(a.input));
      ASSIGN_OR_RETURN(StreamStats stats, dvstream::Demux(*in, *bl, &el, o));
      RETURN_IF_ERROR(bl->Flush());
      return stats;
    });
  });
  return NameFile(a.input, written);
}

absl::Status RunMux(const Args& a) {
  RETURN_IF_ERROR(RequireKind(a.bl, InputKind::kAnnexB));
  RETURN_IF_ERROR(RequireKind(a.el, InputKind::kAnnexB));
  dvstream::MuxOptions o;
  o.style = Style(a.annexb);
  o.add_aud = !a.no_add_aud;
  o.drop_eos = a.discard_eos;
  o.transform = TransformForMode(a.mode);
  // Every failure is reported under the BL's name, except the EL failing to open: that one
  // names the EL only.
  absl::Status el_open;
  absl::Status written = WriteStream(a.output, [&](ByteSink& out) -> absl::StatusOr<StreamStats> {
    ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSource> bl, OpenInput(a.bl));
    absl::StatusOr<std::unique_ptr<dvstream::FileSource>> el = OpenInput(a.el);
    if (!el.ok()) {
      el_open = el.status();
      return el_open;
    }
    return dvstream::Mux(*bl, **el, out, o);
  });
  RETURN_IF_ERROR(el_open);
  return NameFile(a.bl, written);
}

absl::Status RunRemove(const Args& a) {
  RETURN_IF_ERROR(RequireKind(a.input, InputKind::kAnnexB));
  dvstream::LayerOptions o;
  o.style = Style(a.annexb);
  absl::Status written = WriteStream(a.output, [&](ByteSink& out) -> absl::StatusOr<StreamStats> {
    ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSource> in, OpenInput(a.input));
    return dvstream::Demux(*in, out, nullptr, o);
  });
  return NameFile(a.input, written);
}

absl::Status RunConvert(const Args& a) {
  RETURN_IF_ERROR(RequireKind(a.input, InputKind::kAnnexB));
  if (!a.discard) {
    return NameFile(a.input, absl::UnimplementedError(
                                 "convert keeps the enhancement layer only through demux + mux; "
                                 "pass --discard to drop the EL (the lossless P7 -> 8.1 step)"));
  }
  dvstream::LayerOptions o;
  o.style = Style(a.annexb);
  o.transform = TransformForMode(a.mode);
  absl::Status written = WriteStream(a.output, [&](ByteSink& out) -> absl::StatusOr<StreamStats> {
    ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSource> in, OpenInput(a.input));
    return dvstream::DropEnhancementLayer(*in, out, o);
  });
  return NameFile(a.input, written);
}

void AddStyleFlag(CLI::App& c, Args& a) {
  c.add_flag("--annexb", a.annexb,
             "Write 3-byte start codes where Annex B allows them (default: 00 00 00 01 everywhere)");
}

}  // namespace

void AddStreamVerbs(CLI::App& dovi, VerbAction& action) {
  auto a = std::make_shared<Args>();

  CLI::App* inject = dovi.add_subcommand(
      "inject-rpu", "Put an RPU file's RPUs (display order) into an HEVC stream, one per frame");
  inject->add_option("input", a->input, "HEVC base layer stream (Annex B)")->required();
  inject->add_option("rpu", a->rpu, "RPU file (00 00 00 01 + NAL 62 payload per RPU)")->required();
  inject->add_option("-o,--output", a->output, "HEVC stream to write")->required();
  inject->add_flag("--no-add-aud", a->no_add_aud, "Do not add access unit delimiters");
  inject->add_flag("--allow-padding", a->allow_padding,
                   "With fewer RPUs than frames, repeat the last RPU instead of failing");
  AddStyleFlag(*inject, *a);
  inject->callback(Verb(action, [a] { return RunInject(*a); }));

  CLI::App* demux = dovi.add_subcommand(
      "demux", "Split a dual-layer stream into its base layer and enhancement layer (+RPU)");
  demux->add_option("input", a->input, "dual-layer HEVC stream (Annex B)")->required();
  demux->add_option("--bl-out", a->bl_out, "base layer stream to write")->required();
  demux->add_option("--el-out", a->el_out, "enhancement layer stream (with the RPUs) to write")
      ->required();
  AddModeOption(*demux, a->mode)->description("Convert the RPUs written with the EL (see convert-rpu)");
  AddStyleFlag(*demux, *a);
  demux->callback(Verb(action, [a] { return RunDemux(*a); }));

  CLI::App* mux = dovi.add_subcommand(
      "mux", "Interleave a base layer and an enhancement layer (+RPU) into one dual-layer stream");
  mux->add_option("--bl", a->bl, "base layer HEVC stream")->required();
  mux->add_option("--el", a->el, "enhancement layer HEVC stream carrying the RPUs")->required();
  mux->add_option("-o,--output", a->output, "dual-layer HEVC stream to write")->required();
  mux->add_flag("--no-add-aud", a->no_add_aud, "Do not add access unit delimiters");
  mux->add_flag("--discard-eos", a->discard_eos, "Drop end-of-sequence/bitstream NALs");
  AddModeOption(*mux, a->mode)->description("Convert the EL's RPUs (see convert-rpu)");
  AddStyleFlag(*mux, *a);
  mux->callback(Verb(action, [a] { return RunMux(*a); }));

  CLI::App* remove = dovi.add_subcommand(
      "remove", "Remove the RPUs and the enhancement layer, keeping the base layer");
  remove->add_option("input", a->input, "HEVC stream (Annex B)")->required();
  remove->add_option("-o,--output", a->output, "HEVC stream to write")->required();
  AddStyleFlag(*remove, *a);
  remove->callback(Verb(action, [a] { return RunRemove(*a); }));

  CLI::App* convert = dovi.add_subcommand(
      "convert", "Convert a stream's RPUs; with --discard also drop the enhancement layer "
                 "(--discard --mode 2: the lossless profile 7 -> 8.1 step)");
  convert->add_option("input", a->input, "HEVC stream (Annex B)")->required();
  convert->add_option("-o,--output", a->output, "HEVC stream to write")->required();
  convert->add_flag("--discard", a->discard, "Drop the enhancement layer (required for now)");
  AddModeOption(*convert, a->mode);
  AddStyleFlag(*convert, *a);
  convert->callback(Verb(action, [a] { return RunConvert(*a); }));
}

}  // namespace mkvfleet::ctl
