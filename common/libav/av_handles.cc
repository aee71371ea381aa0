// Allocation and error-text helpers for av_handles.h.
#include "common/libav/av_handles.h"

#include <cstdlib>

extern "C" {
#include <libavutil/error.h>
}

namespace mkvfleet::libav {

PacketPtr MakePacket() {
  AVPacket* pkt = av_packet_alloc();
  if (pkt == nullptr) std::abort();
  return PacketPtr(pkt);
}

std::string AvErrorText(int averror) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(averror, buf, sizeof(buf));
  return buf;
}

}  // namespace mkvfleet::libav
