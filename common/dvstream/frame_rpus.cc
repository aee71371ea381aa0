// Per-frame RPUs in display order (see the header).
#include "common/dvstream/frame_rpus.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mkvfleet::dvstream {

absl::Status FrameRpuCollector::Add(const hevc::FrameInfo& frame,
                                    std::vector<std::vector<uint8_t>> rpus) {
  const uint64_t index = by_packet_.size();
  if (!frame.has_picture) {
    return absl::InvalidArgumentError(absl::StrCat("packet ", index, " holds no picture"));
  }
  by_packet_.push_back(std::move(rpus));
  absl::Status st = reorder_.Push(frame.key, index, [this](uint64_t&& i) {
    display_order_.push_back(i);
    return absl::OkStatus();
  });
  if (!st.ok())
    return absl::InvalidArgumentError(absl::StrCat("packet ", index, ": ", st.message()));
  return absl::OkStatus();
}

FrameRpuTable FrameRpuCollector::Finish() && {
  (void)reorder_.Flush([this](uint64_t&& i) {  // cannot fail: every key was accepted by Push
    display_order_.push_back(i);
    return absl::OkStatus();
  });
  FrameRpuTable table;
  table.frames.reserve(display_order_.size());
  for (uint64_t packet : display_order_) table.frames.push_back(std::move(by_packet_[packet]));
  table.packet_of_frame = std::move(display_order_);
  return table;
}

RpuCensus CountFrameRpus(const FrameRpuTable& table) {
  RpuCensus c;
  c.frames = static_cast<int64_t>(table.frames.size());
  for (size_t i = 0; i < table.frames.size(); ++i) {
    const size_t n = table.frames[i].size();
    c.rpus += static_cast<int64_t>(n);
    if (n == 0) c.without_rpu.push_back(static_cast<int64_t>(i));
    if (n > 1) c.with_several.push_back(static_cast<int64_t>(i));
  }
  return c;
}

std::string FrameListText(absl::Span<const int64_t> frames, size_t shown) {
  if (frames.size() <= shown) return absl::StrJoin(frames, ", ");
  return absl::StrCat(absl::StrJoin(frames.subspan(0, shown), ", "), ", ... (", frames.size(),
                      " in all)");
}

}  // namespace mkvfleet::dvstream
