// `mkvctl dovi convert-rpu` and `mkvctl dovi extract-rpu`: RPU files in, RPU files out.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dovi/rpu_convert.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/dvstream/byte_io.h"
#include "common/status/status_macros.h"
#include "ctl/dovi/cli_support.h"
#include "ctl/dovi/dovi_verbs.h"
#include "ctl/dovi/input_kind.h"
#include "ctl/dovi/rpu_input.h"

namespace mkvfleet::ctl {
namespace {

// Options of both verbs.
struct RpuArgs {
  std::string input;
  std::string output;
  std::optional<int> mode;
};

absl::Status RunConvertRpu(const RpuArgs& a) {
  ASSIGN_OR_RETURN(InputKind kind, NameFile(a.input, DetectInputKind(a.input)));
  if (kind != InputKind::kRpuFile) {
    return NameFile(a.input, absl::InvalidArgumentError(absl::StrCat(
                                 "is a ", InputKindName(kind),
                                 ", not an RPU file (use `mkvctl dovi extract-rpu`)")));
  }
  const auto mode = static_cast<dovi::ConversionMode>(*a.mode);
  std::vector<uint8_t> out;
  uint64_t index = 0;
  auto convert_rpu = [&](absl::Span<const uint8_t> payload) {
    ++index;
    absl::StatusOr<std::vector<uint8_t>> converted = dovi::ConvertRpuPayload(payload, mode);
    if (!converted.ok()) {
      return absl::Status(converted.status().code(),
                          absl::StrCat("RPU ", index, ": ", converted.status().message()));
    }
    dovi::AppendRpuToFile(out, *converted);
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(NameFile(a.input, ForEachRpu(a.input, kind, convert_rpu)));
  absl::Status written = WriteAtomically(a.output, [&](const std::string& tmp) -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSink> sink, dvstream::FileSink::Create(tmp));
    RETURN_IF_ERROR(sink->Write(out));
    return sink->Flush();
  });
  return NameFile(a.output, written);
}

absl::Status RunExtractRpu(const RpuArgs& a) {
  ASSIGN_OR_RETURN(InputKind kind, NameFile(a.input, DetectInputKind(a.input)));
  absl::Status written = WriteAtomically(a.output, [&](const std::string& tmp) -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<dvstream::FileSink> sink, dvstream::FileSink::Create(tmp));
    ASSIGN_OR_RETURN(uint64_t n, ExtractRpusTo(a.input, kind, *sink, TransformForMode(a.mode)));
    if (n == 0) {
      return absl::NotFoundError(
          absl::StrCat(a.input, ": no Dolby Vision RPUs (NAL type 62) found"));
    }
    return sink->Flush();
  });
  return NameFile(a.input, written);
}

}  // namespace

void AddRpuVerbs(CLI::App& dovi, VerbAction& action) {
  auto convert = std::make_shared<RpuArgs>();
  CLI::App* c = dovi.add_subcommand(
      "convert-rpu", "Convert every RPU of an RPU file (00 00 00 01 + NAL 62 payload per RPU)");
  c->add_option("input", convert->input, "RPU file to read")->required();
  c->add_option("-o,--output", convert->output, "RPU file to write (atomically)")->required();
  AddModeOption(*c, convert->mode)->required();
  c->callback(Verb(action, [convert] { return RunConvertRpu(*convert); }));

  auto extract = std::make_shared<RpuArgs>();
  CLI::App* e = dovi.add_subcommand(
      "extract-rpu",
      "Write the RPUs of an HEVC stream (Annex B) or an MKV to an RPU file in display order");
  e->add_option("input", extract->input, "HEVC stream or Matroska file (detected by content)")
      ->required();
  e->add_option("-o,--output", extract->output, "RPU file to write (atomically)")->required();
  AddModeOption(*e, extract->mode)->description(
      "Convert each RPU on the way: 0 rewrite, 1 to MEL, 2 to 8.1, 4 to 8.4, 5 to 8.1 keeping "
      "the mapping (default: RPUs copied unchanged)");
  e->callback(Verb(action, [extract] { return RunExtractRpu(*extract); }));
}

}  // namespace mkvfleet::ctl
