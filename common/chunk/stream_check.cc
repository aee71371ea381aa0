// Stream analysis in one read: a tee source hands each chunk of bytes to an access-unit counter
// (sizes, IDRs, RPU counts, parameter sets) and on to dvstream::ExtractRpus, which owns the POC
// logic that puts the RPUs in display order. Then the chunk and join checks over the report.
#include "common/chunk/stream_check.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/chunk/vbv_sim.h"
#include "common/dovi/rpu_file_bytes.h"
#include "common/dvstream/operations.h"
#include "common/hevc/access_unit.h"
#include "common/hevc/nal_splitter.h"
#include "common/hevc/nal_unit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::chunk {
namespace {

bool IsLayer0(absl::Span<const uint8_t> nal) {
  return nal.size() >= 2 && (nal[0] & 1) == 0 && (nal[1] >> 3) == 0;
}

// Groups NALs into access units with hevc::BeginsAccessUnit (the rule ExtractRpus uses, so both
// count the same units) and fills the per-unit fields of a StreamReport.
class AccessUnitCounter {
 public:
  explicit AccessUnitCounter(StreamReport& report) : report_(report) {}

  absl::Status Feed(absl::Span<const uint8_t> chunk) {
    return splitter_.Feed(chunk, [this](const hevc::AnnexBNal& nal) { return Add(nal); });
  }
  absl::Status Finish() {
    RETURN_IF_ERROR(splitter_.Finish([this](const hevc::AnnexBNal& nal) { return Add(nal); }));
    if (nals_ > 0) EndUnit();
    return absl::OkStatus();
  }

 private:
  absl::Status Add(const hevc::AnnexBNal& nal) {
    if (nals_ > 0 && hevc::BeginsAccessUnit(nal.data, has_picture_)) EndUnit();
    ++nals_;
    bytes_ += nal.start_code_size + nal.data.size();
    if (nal.data.empty()) return absl::OkStatus();
    const uint8_t type = hevc::NalTypeOf(nal.data);
    if (hevc::IsVcl(type) && IsLayer0(nal.data) && !has_picture_) {
      has_picture_ = true;
      picture_type_ = type;
    }
    if (type == hevc::kUnspec62) ++rpus_;
    if (report_.access_units == 0 &&
        (type == hevc::kVps || type == hevc::kSps || type == hevc::kPps)) {
      report_.parameter_sets.emplace_back(nal.data.begin(), nal.data.end());
    }
    return absl::OkStatus();
  }

  void EndUnit() {
    const int64_t index = report_.access_units++;
    report_.au_bytes.push_back(bytes_);
    if (has_picture_ && hevc::IsIdr(picture_type_)) report_.idr_decode_indices.push_back(index);
    if (rpus_ == 0 && report_.aus_without_rpu++ == 0) report_.first_au_without_rpu = index;
    if (rpus_ > 1 && report_.aus_with_several_rpus++ == 0) {
      report_.first_au_with_several_rpus = index;
    }
    nals_ = 0;
    bytes_ = 0;
    rpus_ = 0;
    has_picture_ = false;
  }

  StreamReport& report_;
  hevc::NalSplitter splitter_;
  int64_t nals_ = 0;  // in the current unit
  uint64_t bytes_ = 0;
  int rpus_ = 0;
  bool has_picture_ = false;
  uint8_t picture_type_ = 0;
};

// Passes a source through unchanged while the counter sees every chunk. Remembers its own errors
// (the source's and the counter's) apart from those of whoever reads it.
class TeeSource final : public dvstream::ByteSource {
 public:
  TeeSource(dvstream::ByteSource& in, AccessUnitCounter& counter) : in_(in), counter_(counter) {}

  absl::StatusOr<absl::Span<const uint8_t>> Read() override {
    if (!error_.ok()) return error_;
    if (eof_) return absl::Span<const uint8_t>();
    absl::StatusOr<absl::Span<const uint8_t>> chunk = in_.Read();
    if (!chunk.ok()) {
      error_ = chunk.status();
    } else if (chunk->empty()) {
      eof_ = true;
      error_ = counter_.Finish();
    } else {
      error_ = counter_.Feed(*chunk);
    }
    if (!error_.ok()) return error_;
    return chunk;
  }
  // Reads the rest of the source (after the other reader stopped early).
  absl::Status Drain() {
    while (!eof_) RETURN_IF_ERROR(Read());
    return error_;
  }
  const absl::Status& error() const { return error_; }

 private:
  dvstream::ByteSource& in_;
  AccessUnitCounter& counter_;
  absl::Status error_;
  bool eof_ = false;
};

// Appends the lines about RPUs per access unit.
void CheckRpuCounts(const StreamReport& r, std::vector<std::string>& problems) {
  if (r.aus_without_rpu > 0) {
    problems.push_back(absl::StrCat(r.aus_without_rpu, " access units without an RPU (first: ",
                                    "decode index ", r.first_au_without_rpu, ")"));
  }
  if (r.aus_with_several_rpus > 0) {
    problems.push_back(absl::StrCat(r.aus_with_several_rpus,
                                    " access units with more than one RPU (first: decode index ",
                                    r.first_au_with_several_rpus, ")"));
  }
}

// Appends the lines about the display-ordered RPUs against `expected` (an RPU file named `what`).
absl::Status CheckDisplayRpus(const StreamReport& r, absl::Span<const uint8_t> expected,
                              absl::string_view what, std::vector<std::string>& problems) {
  absl::StatusOr<std::vector<absl::Span<const uint8_t>>> want = dovi::ParseRpuFile(expected);
  if (!want.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the expected ", what, " is not an RPU file: ", want.status().message()));
  }
  if (!r.display_order_error.empty()) {
    problems.push_back(
        absl::StrCat("RPUs cannot be put in display order: ", r.display_order_error));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const std::vector<absl::Span<const uint8_t>> got,
                   dovi::ParseRpuFile(r.display_rpus));
  const size_t common = std::min(got.size(), want->size());
  for (size_t i = 0; i < common; ++i) {
    if (!std::equal(got[i].begin(), got[i].end(), (*want)[i].begin(), (*want)[i].end())) {
      problems.push_back(
          absl::StrCat("RPU of frame ", i, " (display order) differs from the ", what));
      break;
    }
  }
  if (got.size() != want->size()) {
    problems.push_back(absl::StrCat("the stream carries ", got.size(), " RPUs, the ", what, " has ",
                                    want->size()));
  }
  return absl::OkStatus();
}

void CheckParameterSets(const StreamReport& r, const ParameterSetNals* reference,
                        std::vector<std::string>& problems) {
  for (uint8_t type : {hevc::kVps, hevc::kSps, hevc::kPps}) {
    const bool present =
        std::any_of(r.parameter_sets.begin(), r.parameter_sets.end(),
                    [type](const auto& nal) { return hevc::NalTypeOf(nal) == type; });
    if (!present) {
      problems.push_back(absl::StrCat("the first access unit has no ", hevc::NalTypeName(type)));
    }
  }
  if (reference == nullptr || r.parameter_sets == *reference) return;
  if (r.parameter_sets.size() != reference->size()) {
    problems.push_back(absl::StrCat("the first access unit has ", r.parameter_sets.size(),
                                    " parameter set NALs, the reference chunk ",
                                    reference->size()));
    return;
  }
  for (size_t i = 0; i < reference->size(); ++i) {
    if (r.parameter_sets[i] != (*reference)[i]) {
      problems.push_back(absl::StrCat("parameter set NAL ", i, " (",
                                      hevc::NalTypeName(hevc::NalTypeOf(r.parameter_sets[i])),
                                      ") differs from the reference chunk's"));
    }
  }
}

absl::Status Verdict(const std::vector<std::string>& problems) {
  if (problems.empty()) return absl::OkStatus();
  return absl::DataLossError(absl::StrJoin(problems, "\n"));
}

}  // namespace

absl::StatusOr<StreamReport> AnalyzeStream(dvstream::ByteSource& in) {
  StreamReport report;
  AccessUnitCounter counter(report);
  TeeSource tee(in, counter);
  dvstream::MemorySink rpus;
  absl::StatusOr<dvstream::StreamStats> extracted = dvstream::ExtractRpus(tee, rpus);
  RETURN_IF_ERROR(tee.error());  // the source's or the splitter's: no report at all
  if (!extracted.ok()) {
    report.display_order_error = std::string(extracted.status().message());
    RETURN_IF_ERROR(tee.Drain());
  } else {
    report.display_rpus = rpus.data();
  }
  return report;
}

absl::Status CheckChunk(const StreamReport& report, int64_t expected_frames,
                        absl::Span<const uint8_t> expected_rpu_slice_file,
                        const ParameterSetNals* reference_parameter_sets) {
  std::vector<std::string> problems;
  if (report.access_units != expected_frames) {
    problems.push_back(
        absl::StrCat("access units: ", report.access_units, ", expected ", expected_frames));
  }
  if (report.idr_decode_indices.empty() || report.idr_decode_indices.front() != 0) {
    problems.push_back("the first access unit is not an IDR picture");
  }
  CheckParameterSets(report, reference_parameter_sets, problems);
  CheckRpuCounts(report, problems);
  RETURN_IF_ERROR(CheckDisplayRpus(report, expected_rpu_slice_file, "RPU slice", problems));
  return Verdict(problems);
}

absl::Status CheckJoined(const StreamReport& report, const ChunkManifest& manifest,
                         absl::Span<const uint8_t> whole_rpu_file) {
  RETURN_IF_ERROR(ValidateManifest(manifest));
  std::vector<std::string> problems;
  if (report.access_units != manifest.frame_count) {
    problems.push_back(absl::StrCat("access units: ", report.access_units, ", expected ",
                                    manifest.frame_count, " (frame_count)"));
  }
  for (const ManifestChunk& chunk : manifest.chunks) {
    if (!std::binary_search(report.idr_decode_indices.begin(), report.idr_decode_indices.end(),
                            chunk.first_frame)) {
      problems.push_back(absl::StrCat("no IDR at frame ", chunk.first_frame,
                                      " (the first frame of chunk ", chunk.index, ")"));
    }
  }
  CheckRpuCounts(report, problems);
  RETURN_IF_ERROR(CheckDisplayRpus(report, whole_rpu_file, "RPU file", problems));
  if (manifest.vbv.enabled()) {
    VbvModel model{manifest.vbv.maxrate_kbps, manifest.vbv.bufsize_kbps, manifest.fps_num,
                   manifest.fps_den, 0.9};
    ASSIGN_OR_RETURN(const VbvResult vbv, SimulateVbv(report.au_bytes, model));
    if (vbv.underflows > 0) {
      problems.push_back(
          absl::StrFormat("VBV: %d underflows (first at access unit %d, minimum fullness %.3f)",
                          vbv.underflows, vbv.first_underflow, vbv.min_fullness));
    }
  }
  return Verdict(problems);
}

}  // namespace mkvfleet::chunk
