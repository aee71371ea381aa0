// RPU file reading and writing.
#include "common/dvstream/rpu_file.h"

#include "common/hevc/start_code.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dvstream {

absl::StatusOr<std::vector<uint8_t>> ApplyTransform(const RpuTransform& transform,
                                                    absl::Span<const uint8_t> payload) {
  if (!transform) return std::vector<uint8_t>(payload.begin(), payload.end());
  return transform(payload);
}

absl::StatusOr<bool> RpuFileReader::Next(std::vector<uint8_t>* payload) {
  auto add = [this](const hevc::AnnexBNal& nal) {
    ready_.emplace_back(nal.data.begin(), nal.data.end());
    return absl::OkStatus();
  };
  while (ready_.empty() && !eof_) {
    ASSIGN_OR_RETURN(absl::Span<const uint8_t> chunk, source_.Read());
    absl::Status st;
    if (chunk.empty()) {
      eof_ = true;
      st = splitter_.Finish(add);
    } else {
      st = splitter_.Feed(chunk, add);
    }
    RETURN_IF_ERROR(st);
  }
  if (ready_.empty()) return false;
  *payload = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

absl::Status RpuFileWriter::Write(absl::Span<const uint8_t> payload) {
  std::vector<uint8_t>& buf = out_.buffer();
  hevc::AppendStartCode(4, buf);
  buf.insert(buf.end(), payload.begin(), payload.end());
  ++count_;
  return out_.MaybeFlush();
}

absl::Status DisplayOrderRpuWriter::Add(hevc::DisplayKey key, std::vector<uint8_t> payload) {
  return order_.Push(key, std::move(payload),
                     [this](std::vector<uint8_t>&& p) { return writer_.Write(p); });
}

absl::Status DisplayOrderRpuWriter::Finish() {
  RETURN_IF_ERROR(order_.Flush([this](std::vector<uint8_t>&& p) { return writer_.Write(p); }));
  return writer_.Finish();
}

}  // namespace mkvfleet::dvstream
