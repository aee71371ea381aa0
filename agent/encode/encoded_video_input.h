// The video track of a re-encode for the remuxer (common/libav): x265's Annex B output split into
// access units, each becoming one packet on the source's timestamps (TimestampAssigner: the
// output frame shown k-th gets the source's k-th display time). The codec configuration is the
// encoder's VPS/SPS/PPS handed to libavformat as Annex B extradata, from which its Matroska muxer
// builds the hvcC CodecPrivate and turns every packet into length-prefixed NAL units.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/encode/timestamp_assigner.h"
#include "common/dvstream/access_unit_reader.h"
#include "common/dvstream/byte_io.h"
#include "common/libav/video_track_input.h"

namespace mkvfleet::agent::encode {

class EncodedVideoInput final : public libav::VideoTrackInput {
 public:
  // `hevc_path`: the encoder's elementary stream; `output_depth`: 8 or 10 (for the codec
  // parameters' profile and pixel format).
  EncodedVideoInput(std::string hevc_path, int output_depth)
      : path_(std::move(hevc_path)), output_depth_(output_depth) {}
  // Reads the stream from `fd` instead (the read end of a pipe from x265's stdout; owned, closed
  // by Close() or the destructor); `name` stands for it in messages.
  EncodedVideoInput(int fd, std::string name, int output_depth);
  ~EncodedVideoInput() override;

  // Stops reading: closes the stream, so a writer still running gets SIGPIPE/EPIPE.
  void Close();

  // Opens the stream and reads its first access unit. Errors: NotFound for a missing file,
  // InvalidArgument when it does not start with a picture and its VPS/SPS/PPS.
  absl::Status Configure(const AVCodecParameters& source, AVCodecParameters& out) override;
  // Errors: InvalidArgument for a source packet without pts or an unparsable access unit;
  // FailedPrecondition (from TimestampAssigner) for broken picture order.
  absl::Status Push(AVPacket& source_packet, std::vector<libav::PacketPtr>& out) override;
  // Errors: FailedPrecondition when the encoder made a different number of frames.
  absl::Status Finish(std::vector<libav::PacketPtr>& out) override;

  int64_t frames_out() const { return frames_out_; }

 private:
  struct PendingFrame {
    std::vector<uint8_t> annexb;  // the access unit with 4-byte start codes
    bool keyframe = false;
  };
  // Reads one more access unit into pending_ (and the assigner). False at end of stream.
  absl::StatusOr<bool> ReadOne();
  absl::Status Emit(std::vector<libav::PacketPtr>& out);

  std::string path_;
  int output_depth_;
  int fd_ = -1;  // owned, for the pipe constructor
  std::unique_ptr<dvstream::ByteSource> file_;
  std::unique_ptr<dvstream::AccessUnitReader> reader_;
  hevc::FrameOrderAnalyzer analyzer_;
  hevc::AccessUnit au_;
  std::optional<TimestampAssigner> times_;
  std::deque<PendingFrame> pending_;
  bool eof_ = false;
  uint64_t read_ = 0;
  int64_t frames_out_ = 0;
};

}  // namespace mkvfleet::agent::encode
