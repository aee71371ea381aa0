// Annex B source -> NAL splitter -> access unit assembler.
#include "common/dvstream/access_unit_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::dvstream {

namespace {
// Chunks are fed to the splitter in slices of this size, so a chunk full of tiny access units
// does not become thousands of buffered units at once.
constexpr size_t kFeedSlice = 64 << 10;
constexpr size_t kMaxSpare = 64;
}  // namespace

hevc::AccessUnit AccessUnitReader::TakeSpare() {
  hevc::AccessUnit au;
  if (!spare_.empty()) {
    au = std::move(spare_.back());
    spare_.pop_back();
  }
  return au;
}

void AccessUnitReader::Recycle(hevc::AccessUnit au) {
  if (spare_.size() >= kMaxSpare) return;
  au.Clear();
  spare_.push_back(std::move(au));
}

absl::Status AccessUnitReader::Fill() {
  hevc::AccessUnit scratch = TakeSpare();
  auto add = [&](const hevc::AnnexBNal& nal) {
    if (assembler_.Add(nal.data, nal.start_code_size, &scratch)) {
      ready_.push_back(std::move(scratch));
      scratch = TakeSpare();
    }
    return absl::OkStatus();
  };
  absl::Status st;
  while (st.ok() && ready_.empty() && !eof_) {
    if (pending_.empty()) {
      absl::StatusOr<absl::Span<const uint8_t>> chunk = source_.Read();
      if (!chunk.ok()) {
        st = chunk.status();
        break;
      }
      pending_ = *chunk;
      if (pending_.empty()) {
        eof_ = true;
        st = splitter_.Finish(add);
        if (st.ok() && assembler_.Finish(&scratch)) {
          ready_.push_back(std::move(scratch));
          scratch = TakeSpare();
        }
        break;
      }
    }
    const size_t n = std::min(pending_.size(), kFeedSlice);
    st = splitter_.Feed(pending_.subspan(0, n), add);
    pending_.remove_prefix(n);
  }
  Recycle(std::move(scratch));
  return st;
}

absl::StatusOr<bool> AccessUnitReader::Next(hevc::AccessUnit* au) {
  RETURN_IF_ERROR(Fill());
  if (ready_.empty()) return false;
  Recycle(std::move(*au));
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
