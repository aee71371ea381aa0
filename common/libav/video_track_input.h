// What a Remuxer (remuxer.h) puts in the output's video track. The lossless Dolby Vision
// conversion rewrites the source's own video packets; a re-encode replaces them with an encoder's
// output while keeping the source's timestamps. Both plug in here, so the remuxer never knows
// which one it carries.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "common/libav/av_handles.h"

namespace mkvfleet::libav {

// Supplies the output's video stream. Called by one thread, in this order: Configure() once,
// Push() for each source video packet in file (decode) order, Finish() once.
class VideoTrackInput {
 public:
  virtual ~VideoTrackInput() = default;

  // Sets the output video stream's codec parameters. `out` arrives as a copy of the source's
  // (`source`), so an input that keeps the codec and extradata may leave it alone.
  virtual absl::Status Configure(const AVCodecParameters& source, AVCodecParameters& out) = 0;

  // Takes one source video packet (timestamps in the source stream's time base; the input may
  // modify or take its data) and appends zero or more packets for the output video stream, with
  // timestamps in the same time base, in decode order. Errors abort the remux; the message should
  // name the packet.
  virtual absl::Status Push(AVPacket& source_packet, std::vector<libav::PacketPtr>& out) = 0;

  // After the last source packet: appends whatever is still held back.
  virtual absl::Status Finish(std::vector<libav::PacketPtr>& out) = 0;
};

// Passes the source's packets through unchanged (a plain remux; used by tests).
class CopyVideoInput final : public VideoTrackInput {
 public:
  absl::Status Configure(const AVCodecParameters&, AVCodecParameters&) override {
    return absl::OkStatus();
  }
  absl::Status Push(AVPacket& source_packet, std::vector<libav::PacketPtr>& out) override;
  absl::Status Finish(std::vector<libav::PacketPtr>&) override { return absl::OkStatus(); }
};

}  // namespace mkvfleet::libav
