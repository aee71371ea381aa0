// RPU extraction from an Annex B stream to an RPU file, in display order. The hot path of a
// P7 -> 8.1 run on a large file, so it never copies access units: a NalScanner walks the source's
// chunks, only NAL heads reach the access-unit and picture-order logic, and only parameter sets
// and RPUs are copied.
#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/operations.h"
#include "common/hevc/nal_scanner.h"
#include "common/hevc/nal_unit.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dvstream {
namespace {

// NAL types the extraction needs whole: SPS and PPS (for POC) and the RPU.
constexpr uint64_t kWholeTypes =
    (uint64_t{1} << hevc::kSps) | (uint64_t{1} << hevc::kPps) | (uint64_t{1} << hevc::kUnspec62);

bool IsLayer0(absl::Span<const uint8_t> nal) {
  return nal.size() >= 2 && (nal[0] & 1) == 0 && (nal[1] >> 3) == 0;
}

// Groups scanned NALs into access units (the rules of hevc::AccessUnitAssembler), computes each
// unit's display key as it goes and writes its RPU.
class RpuExtractor {
 public:
  RpuExtractor(ByteSink& out, const RpuTransform& transform) : transform_(transform), writer_(out) {
    analyzer_.BeginFrame();
  }

  absl::Status AddNal(const hevc::ScannedNal& nal) {
    const absl::Span<const uint8_t> head = nal.head;
    if (nals_ > 0 && hevc::BeginsAccessUnit(head, has_picture_)) {
      RETURN_IF_ERROR(EndAccessUnit());
    }
    ++nals_;
    const uint8_t type = hevc::NalTypeOf(head);
    if (hevc::IsVcl(type) && IsLayer0(head)) has_picture_ = true;
    // Slice headers are parsed from their first bytes only (ParseSliceHeader reads no further).
    if (absl::Status st = analyzer_.AddNal(head); !st.ok()) {
      return AtAccessUnit(st, stats_.access_units);
    }
    if (type == hevc::kUnspec62 && ++rpus_in_unit_ == 1) rpu_.assign(head.begin(), head.end());
    return absl::OkStatus();
  }

  // Ends the current access unit (if any NAL is pending) and writes its RPU.
  absl::Status EndAccessUnit() {
    if (nals_ == 0) return absl::OkStatus();
    const uint64_t index = stats_.access_units++;
    const hevc::FrameInfo frame = analyzer_.EndFrame();
    const int rpus = rpus_in_unit_;
    nals_ = 0;
    has_picture_ = false;
    rpus_in_unit_ = 0;
    analyzer_.BeginFrame();
    if (rpus > 1) return AtAccessUnit(absl::InvalidArgumentError("more than one RPU NAL"), index);
    if (rpus == 0) return absl::OkStatus();
    if (!frame.has_picture) {
      return AtAccessUnit(absl::InvalidArgumentError("RPU NAL in an access unit without a picture"),
                          index);
    }
    absl::StatusOr<std::vector<uint8_t>> rpu =
        ApplyTransform(transform_, absl::MakeConstSpan(rpu_).subspan(2));
    if (!rpu.ok()) return AtAccessUnit(rpu.status(), index);
    if (absl::Status st = writer_.Add(frame.key, *std::move(rpu)); !st.ok()) {
      return AtAccessUnit(st, index);
    }
    return absl::OkStatus();
  }

  absl::Status Finish() { return writer_.Finish(); }
  StreamStats stats() const {
    StreamStats s = stats_;
    s.rpus = writer_.written();
    return s;
  }

 private:
  const RpuTransform& transform_;
  DisplayOrderRpuWriter writer_;
  hevc::FrameOrderAnalyzer analyzer_;
  StreamStats stats_;
  uint64_t nals_ = 0;  // NALs in the current unit
  bool has_picture_ = false;
  int rpus_in_unit_ = 0;
  std::vector<uint8_t> rpu_;  // the current unit's first RPU NAL
};

}  // namespace

absl::StatusOr<StreamStats> ExtractRpus(ByteSource& in, ByteSink& rpu_out,
                                        const RpuTransform& transform) {
  RpuExtractor extractor(rpu_out, transform);
  hevc::NalScanner scanner(kWholeTypes);
  auto add = [&extractor](const hevc::ScannedNal& nal) { return extractor.AddNal(nal); };
  absl::Status st;
  while (st.ok()) {
    absl::StatusOr<absl::Span<const uint8_t>> chunk = in.Read();
    if (!chunk.ok()) {
      st = chunk.status();
    } else if (chunk->empty()) {
      st = scanner.Finish(add);
      if (st.ok()) st = extractor.EndAccessUnit();
      break;
    } else {
      st = scanner.Feed(*chunk, add);
    }
  }
  absl::Status fin = extractor.Finish();
  RETURN_IF_ERROR(st);
  RETURN_IF_ERROR(fin);
  return extractor.stats();
}

}  // namespace mkvfleet::dvstream
