// One libavcodec HEVC decoder delivering 10-bit 4:2:0 pictures as composer planes, for the
// tools that look at pixels of a Dolby Vision title (`mkvctl dovi analyze`): the BL with the
// MKV's hvcC as extradata, the EL from Annex B packets with its parameter sets in band.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/dovi/compose/planes.h"

struct AVCodecContext;
struct AVFrame;

namespace mkvfleet::libav {

// A decoded picture and the pts of the packet it came from.
struct DecodedPicture {
  int64_t pts = 0;
  dovi::compose::Frame420 frame;  // 10-bit codes
};

// Copies a decoded AVFrame into 16-bit planes. Errors: FailedPrecondition naming the pixel format
// when it is not 10-bit 4:2:0 (yuv420p10).
absl::StatusOr<dovi::compose::Frame420> ToFrame420(const AVFrame& frame);

// A libavcodec HEVC decoder. Pictures come out in display order. Not thread-safe.
class HevcDecoder {
 public:
  // Opens a decoder. `extradata`: an hvcC record (length-prefixed packets follow) or empty
  // (Annex B packets with start codes). `name` ("BL", "EL") prefixes every error message.
  // Errors: Internal when libavcodec has no HEVC decoder or cannot open it.
  static absl::StatusOr<std::unique_ptr<HevcDecoder>> Create(absl::Span<const uint8_t> extradata,
                                                             std::string name);
  ~HevcDecoder();
  HevcDecoder(const HevcDecoder&) = delete;
  HevcDecoder& operator=(const HevcDecoder&) = delete;

  // Sends one access unit's bytes with its pts (nothing when empty). Call Receive() until it
  // returns nullopt before the next Send. Errors: DataLoss with libav's reason.
  absl::Status Send(absl::Span<const uint8_t> data, int64_t pts);
  // Signals the end of the input so the last pictures come out of Receive(). Flush() before
  // sending more.
  absl::Status SendEndOfStream();
  // The next decoded picture, or nullopt when the decoder needs more input (or is drained).
  // Errors: DataLoss with libav's reason, those of ToFrame420.
  absl::StatusOr<std::optional<DecodedPicture>> Receive();
  // Drops every picture in flight and the reference pictures (after a seek). Parameter sets
  // already seen are kept by libavcodec.
  void Flush();

 private:
  HevcDecoder() = default;

  std::string name_;
  AVCodecContext* ctx_ = nullptr;
  AVFrame* frame_ = nullptr;
};

}  // namespace mkvfleet::libav
