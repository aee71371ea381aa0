// Annex B source -> NAL splitter -> access unit assembler.
#include "common/dvstream/access_unit_reader.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace mkvfleet::dvstream {

absl::Status AccessUnitReader::Fill() {
  auto take_spare = [this]() {
    hevc::AccessUnit au;
    if (!spare_.empty()) {
      au = std::move(spare_.back());
      spare_.pop_back();
    }
    return au;
  };
  while (ready_.empty() && !eof_) {
    absl::StatusOr<absl::Span<const uint8_t>> chunk = source_.Read();
    if (!chunk.ok()) return chunk.status();
    hevc::AccessUnit scratch = take_spare();
    auto add = [&](const hevc::AnnexBNal& nal) {
      if (assembler_.Add(nal.data, nal.start_code_size, &scratch)) {
        ready_.push_back(std::move(scratch));
        scratch = take_spare();
      }
      return absl::OkStatus();
    };
    absl::Status st;
    if (chunk->empty()) {
      eof_ = true;
      st = splitter_.Finish(add);
      if (st.ok() && assembler_.Finish(&scratch)) {
        ready_.push_back(std::move(scratch));
        scratch = take_spare();
      }
    } else {
      st = splitter_.Feed(*chunk, add);
    }
    scratch.Clear();
    spare_.push_back(std::move(scratch));
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> AccessUnitReader::Next(hevc::AccessUnit* au) {
  if (absl::Status st = Fill(); !st.ok()) return st;
  if (ready_.empty()) return false;
  au->Clear();
  if (spare_.size() < 4) spare_.push_back(std::move(*au));
  *au = std::move(ready_.front());
  ready_.pop_front();
  ++count_;
  return true;
}

absl::Status AtAccessUnit(const absl::Status& st, uint64_t au_index) {
  return absl::Status(st.code(), absl::StrCat("access unit ", au_index, ": ", st.message()));
}

absl::StatusOr<hevc::FrameInfo> AnalyzeAccessUnit(hevc::FrameOrderAnalyzer& analyzer,
                                                  const hevc::AccessUnit& au, uint64_t au_index) {
  analyzer.BeginFrame();
  for (size_t i = 0; i < au.size(); ++i) {
    if (absl::Status st = analyzer.AddNal(au.nal(i)); !st.ok()) return AtAccessUnit(st, au_index);
  }
  return analyzer.EndFrame();
}

}  // namespace mkvfleet::dvstream
