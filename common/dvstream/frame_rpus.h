// The RPUs of every frame of a video track in display order, gathered from its packets met in
// decode order (PacketRewriter results): what the probe counts (frames without an RPU, frames with
// several) and what an RPU repair works on. Holds every RPU of the track in memory, about the size
// of its RPU file (~30 MB for a two-hour film). Pure; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/dvstream/packet_rewriter.h"
#include "common/hevc/display_order.h"

namespace mkvfleet::dvstream {

struct FrameRpuTable {
  // [display index] -> the frame's RPU payloads in stream order (none, one or several).
  std::vector<std::vector<std::vector<uint8_t>>> frames;
  // [display index] -> the index of the frame's packet in decode (file) order.
  std::vector<uint64_t> packet_of_frame;
};

class FrameRpuCollector {
 public:
  // Adds the next packet in decode order: its frame and RPU payloads (a caller that only counts
  // may pass empty payloads). Errors: InvalidArgument naming the packet when it holds no picture,
  // or when its display key repeats or reorders deeper than HEVC allows.
  absl::Status Add(const hevc::FrameInfo& frame, std::vector<std::vector<uint8_t>> rpus);
  // The table, in display order. Call once.
  FrameRpuTable Finish() &&;

 private:
  std::vector<std::vector<std::vector<uint8_t>>> by_packet_;
  std::vector<uint64_t> display_order_;  // packet indices as the reorder buffer releases them
  hevc::DisplayOrderBuffer<uint64_t> reorder_;
};

// How a track's RPUs match its frames.
struct RpuCensus {
  int64_t frames = 0;
  int64_t rpus = 0;                   // RPU NAL units in all
  std::vector<int64_t> without_rpu;   // display indices of frames without an RPU
  std::vector<int64_t> with_several;  // display indices of frames with more than one
  bool one_per_frame() const { return without_rpu.empty() && with_several.empty(); }
};
RpuCensus CountFrameRpus(const FrameRpuTable& table);

// "5, 94, 95" — at most `shown` numbers, then ", ... (12 in all)".
std::string FrameListText(absl::Span<const int64_t> frames, size_t shown = 10);

}  // namespace mkvfleet::dvstream
