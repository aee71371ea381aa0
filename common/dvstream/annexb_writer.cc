// Start code selection and NAL framing for Annex B output.
#include "common/dvstream/annexb_writer.h"

#include "common/hevc/nal_unit.h"

namespace mkvfleet::dvstream {

absl::Status AnnexBWriter::Put(uint8_t type, absl::Span<const uint8_t> prefix,
                               absl::Span<const uint8_t> nal) {
  std::vector<uint8_t>& buf = out_.buffer();
  hevc::AppendStartCode(hevc::StartCodeSize(type, first_in_au_, style_), buf);
  first_in_au_ = false;
  buf.insert(buf.end(), prefix.begin(), prefix.end());
  buf.insert(buf.end(), nal.begin(), nal.end());
  return out_.MaybeFlush();
}

absl::Status AnnexBWriter::Write(absl::Span<const uint8_t> nal) {
  return Put(hevc::NalTypeOf(nal), {}, nal);
}

absl::Status AnnexBWriter::WriteWrappedEl(absl::Span<const uint8_t> nal) {
  return Put(hevc::kUnspec63, hevc::kElWrapperHeader, nal);
}

absl::Status AnnexBWriter::WriteRpu(absl::Span<const uint8_t> payload) {
  return Put(hevc::kUnspec62, hevc::kRpuHeader, payload);
}

}  // namespace mkvfleet::dvstream
