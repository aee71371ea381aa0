// Random access to the frames of a Dolby Vision MKV for `mkvctl dovi analyze`: seek to the
// keyframe before a display-order frame, then either read packets up to it (its RPU, nothing
// decoded) or decode forward to it with two HEVC decoders, the BL (type 62/63 NALs dropped, the
// MKV's hvcC as extradata) and the EL (unwrapped from its type-63 NALs, Annex B, its parameter
// sets from the title's first packet repeated after every seek). Costs at most one GOP per frame.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dovi/analyze/title_analysis.h"
#include "common/libav/hevc_decoder.h"
#include "common/libav/matroska_reader.h"

namespace mkvfleet::libav {

// One open title. Frame numbers are display order, counted from the first pts at the track's
// frame rate. When a seek lands past the frame asked for (a file without usable cues), the
// first frame after it is returned and its own number reported. Not thread-safe.
class DualLayerSampler final : public dovi::analyze::FrameSampleSource {
 public:
  // Opens `path` and reads its first packet (EL presence and parameter sets).
  // Errors, naming the file: those of MatroskaReader::Open; FailedPrecondition when the frame
  // rate or the duration is unknown; InvalidArgument for an unparsable hvcC or first packet.
  static absl::StatusOr<std::unique_ptr<DualLayerSampler>> Open(const std::string& path);

  const VideoTrackInfo& video() const { return reader_->video(); }
  // True when the first packet carries EL NALs (type 63).
  bool has_enhancement_layer() const { return has_el_; }

  int64_t frame_count() const override { return frame_count_; }
  // For a non-HEVC track: no payload, nothing read. Errors: DataLoss (read or seek failed),
  // NotFound (no packet at or after `frame`).
  absl::StatusOr<dovi::analyze::SampledRpu> RpuAt(int64_t frame) override;
  // Errors: FailedPrecondition for a non-HEVC track; DataLoss naming the frame when reading,
  // seeking or decoding fails or the file ends before the BL picture, EL picture and RPU of the
  // frame were all found.
  absl::StatusOr<dovi::analyze::DecodedSample> DecodeAt(int64_t frame) override;

 private:
  // One packet taken apart.
  struct Layers {
    std::vector<uint8_t> bl;                  // BL NALs, length-prefixed like the packet
    std::vector<uint8_t> el;                  // unwrapped EL NALs, Annex B
    std::vector<uint8_t> el_parameter_sets;   // the EL's VPS/SPS/PPS among them, Annex B
    std::optional<std::vector<uint8_t>> rpu;  // first RPU payload
  };

  DualLayerSampler() = default;
  absl::StatusOr<Layers> Split(const AVPacket& pkt) const;
  int64_t FrameOf(int64_t pts) const;
  // Seeks to the keyframe at or before `frame`.
  absl::Status SeekBefore(int64_t frame);
  absl::Status Decoders();

  std::unique_ptr<MatroskaReader> reader_;
  int nal_length_size_ = 4;
  int64_t start_pts_ = 0;
  double frames_per_tick_ = 0;  // frame rate x time base
  int64_t frame_count_ = 0;
  bool has_el_ = false;
  std::vector<uint8_t> el_parameter_sets_;
  std::unique_ptr<HevcDecoder> bl_decoder_;
  std::unique_ptr<HevcDecoder> el_decoder_;
};

}  // namespace mkvfleet::libav
