// RAII owners for the libavformat/libavcodec objects we hold, and libav error codes as text, so
// no caller frees an AVFormatContext or AVPacket by hand.
#pragma once

#include <memory>
#include <string>

extern "C" {
#include <libavcodec/packet.h>
#include <libavformat/avformat.h>
}

namespace mkvfleet::libav {

// Closes an input context opened with avformat_open_input().
struct InputContextDeleter {
  void operator()(AVFormatContext* ctx) const {
    if (ctx != nullptr) avformat_close_input(&ctx);
  }
};
using InputContextPtr = std::unique_ptr<AVFormatContext, InputContextDeleter>;

// Frees a packet allocated with av_packet_alloc() (and the data it references).
struct PacketDeleter {
  void operator()(AVPacket* pkt) const { av_packet_free(&pkt); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

// av_packet_alloc() wrapped; never null (aborts on out-of-memory like operator new would).
PacketPtr MakePacket();

// The text libav gives for an AVERROR code, e.g. "Invalid data found when processing input".
std::string AvErrorText(int averror);

}  // namespace mkvfleet::libav
