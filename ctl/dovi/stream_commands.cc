// The HEVC stream verbs of `mkvctl dovi`: inject-rpu, demux, mux, remove and convert. Each reads
// Annex B inputs (never modified) and writes its outputs atomically through dvstream operations.
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/dvstream/byte_io.h"
#include "common/dvstream/operations.h"
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

// Fails unless `path` holds what a verb expects.
void RequireKind(const std::string& path, InputKind want) {
  absl::StatusOr<InputKind> kind = DetectInputKind(path);
  CheckOk(path, kind.status());
  if (*kind != want) {
    FailWith(path, absl::InvalidArgumentError(absl::StrCat("is a ", InputKindName(*kind), ", not a ",
                                                           InputKindName(want))));
  }
}

std::unique_ptr<dvstream::FileSource> OpenOrFail(const std::string& path) {
  absl::StatusOr<std::unique_ptr<dvstream::FileSource>> in = dvstream::FileSource::Open(path);
  CheckOk(path, in.status());
  return *std::move(in);
}

dvstream::SourceOpener Opener(const std::string& path) {
  return [path]() -> absl::StatusOr<std::unique_ptr<dvstream::ByteSource>> {
    absl::StatusOr<std::unique_ptr<dvstream::FileSource>> in = dvstream::FileSource::Open(path);
    if (!in.ok()) return in.status();
    return std::unique_ptr<dvstream::ByteSource>(*std::move(in));
  };
}

// Runs `op` into a sink on a temporary next to `out`, then renames it into place.
absl::Status WriteStream(const std::string& out,
                         const std::function<absl::StatusOr<StreamStats>(ByteSink&)>& op) {
  return WriteAtomically(out, [&op](const std::string& tmp) -> absl::Status {
    absl::StatusOr<std::unique_ptr<dvstream::FileSink>> sink = dvstream::FileSink::Create(tmp);
    if (!sink.ok()) return sink.status();
    absl::StatusOr<StreamStats> stats = op(**sink);
    if (!stats.ok()) return stats.status();
    return (*sink)->Flush();
  });
}

struct Args {
  std::string input, rpu, bl, el, output, bl_out, el_out;
  std::optional<int> mode;
  bool annexb = false, no_add_aud = false, allow_padding = false, discard_eos = false,
       discard = false;
};

void RunInject(const Args& a) {
  RequireKind(a.input, InputKind::kAnnexB);
  RequireKind(a.rpu, InputKind::kRpuFile);
  dvstream::InjectOptions o;
  o.style = Style(a.annexb);
  o.add_aud = !a.no_add_aud;
  o.allow_padding = a.allow_padding;
  CheckOk(a.input, WriteStream(a.output, [&](ByteSink& out) {
            return dvstream::InjectRpus(Opener(a.input), Opener(a.rpu), out, o);
          }));
}

void RunDemux(const Args& a) {
  RequireKind(a.input, InputKind::kAnnexB);
  dvstream::LayerOptions o;
  o.style = Style(a.annexb);
  o.transform = TransformForMode(a.mode);
  CheckOk(a.input, WriteAtomically(a.bl_out, [&](const std::string& bl_tmp) {
            return WriteStream(a.el_out, [&](ByteSink& el) -> absl::StatusOr<StreamStats> {
              absl::StatusOr<std::unique_ptr<dvstream::FileSink>> bl =
                  dvstream::FileSink::Create(bl_tmp);
              if (!bl.ok()) return bl.status();
              auto in = OpenOrFail(a.input);
              absl::StatusOr<StreamStats> stats = dvstream::Demux(*in, **bl, &el, o);
              if (!stats.ok()) return stats.status();
              if (absl::Status s = (*bl)->Flush(); !s.ok()) return s;
              return stats;
            });
          }));
}

void RunMux(const Args& a) {
  RequireKind(a.bl, InputKind::kAnnexB);
  RequireKind(a.el, InputKind::kAnnexB);
  dvstream::MuxOptions o;
  o.style = Style(a.annexb);
  o.add_aud = !a.no_add_aud;
  o.drop_eos = a.discard_eos;
  o.transform = TransformForMode(a.mode);
  CheckOk(a.bl, WriteStream(a.output, [&](ByteSink& out) {
            auto bl = OpenOrFail(a.bl);
            auto el = OpenOrFail(a.el);
            return dvstream::Mux(*bl, *el, out, o);
          }));
}

void RunRemove(const Args& a) {
  RequireKind(a.input, InputKind::kAnnexB);
  dvstream::LayerOptions o;
  o.style = Style(a.annexb);
  CheckOk(a.input, WriteStream(a.output, [&](ByteSink& out) {
            auto in = OpenOrFail(a.input);
            return dvstream::Demux(*in, out, nullptr, o);
          }));
}

void RunConvert(const Args& a) {
  RequireKind(a.input, InputKind::kAnnexB);
  if (!a.discard) {
    FailWith(a.input, absl::UnimplementedError(
                          "convert keeps the enhancement layer only through demux + mux; "
                          "pass --discard to drop the EL (the lossless P7 -> 8.1 step)"));
  }
  dvstream::LayerOptions o;
  o.style = Style(a.annexb);
  o.transform = TransformForMode(a.mode);
  CheckOk(a.input, WriteStream(a.output, [&](ByteSink& out) {
            auto in = OpenOrFail(a.input);
            return dvstream::DropEnhancementLayer(*in, out, o);
          }));
}

void AddStyleFlag(CLI::App& c, Args& a) {
  c.add_flag("--annexb", a.annexb,
             "Write 3-byte start codes where Annex B allows them (default: 00 00 00 01 everywhere)");
}

}  // namespace

void AddStreamVerbs(CLI::App& dovi) {
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
  inject->callback(Verb([a] { RunInject(*a); }));

  CLI::App* demux = dovi.add_subcommand(
      "demux", "Split a dual-layer stream into its base layer and enhancement layer (+RPU)");
  demux->add_option("input", a->input, "dual-layer HEVC stream (Annex B)")->required();
  demux->add_option("--bl-out", a->bl_out, "base layer stream to write")->required();
  demux->add_option("--el-out", a->el_out, "enhancement layer stream (with the RPUs) to write")
      ->required();
  AddModeOption(*demux, a->mode)->description("Convert the RPUs written with the EL (see convert-rpu)");
  AddStyleFlag(*demux, *a);
  demux->callback(Verb([a] { RunDemux(*a); }));

  CLI::App* mux = dovi.add_subcommand(
      "mux", "Interleave a base layer and an enhancement layer (+RPU) into one dual-layer stream");
  mux->add_option("--bl", a->bl, "base layer HEVC stream")->required();
  mux->add_option("--el", a->el, "enhancement layer HEVC stream carrying the RPUs")->required();
  mux->add_option("-o,--output", a->output, "dual-layer HEVC stream to write")->required();
  mux->add_flag("--no-add-aud", a->no_add_aud, "Do not add access unit delimiters");
  mux->add_flag("--discard-eos", a->discard_eos, "Drop end-of-sequence/bitstream NALs");
  AddModeOption(*mux, a->mode)->description("Convert the EL's RPUs (see convert-rpu)");
  AddStyleFlag(*mux, *a);
  mux->callback(Verb([a] { RunMux(*a); }));

  CLI::App* remove = dovi.add_subcommand(
      "remove", "Remove the RPUs and the enhancement layer, keeping the base layer");
  remove->add_option("input", a->input, "HEVC stream (Annex B)")->required();
  remove->add_option("-o,--output", a->output, "HEVC stream to write")->required();
  AddStyleFlag(*remove, *a);
  remove->callback(Verb([a] { RunRemove(*a); }));

  CLI::App* convert = dovi.add_subcommand(
      "convert", "Convert a stream's RPUs; with --discard also drop the enhancement layer "
                 "(--discard --mode 2: the lossless profile 7 -> 8.1 step)");
  convert->add_option("input", a->input, "HEVC stream (Annex B)")->required();
  convert->add_option("-o,--output", a->output, "HEVC stream to write")->required();
  convert->add_flag("--discard", a->discard, "Drop the enhancement layer (required for now)");
  AddModeOption(*convert, a->mode);
  AddStyleFlag(*convert, *a);
  convert->callback(Verb([a] { RunConvert(*a); }));
}

}  // namespace mkvfleet::ctl
