// `mkvctl dovi analyze` without the I/O: which frames to sample, the MEL decision from the
// sampled RPUs (nothing decoded), and for an FEL the composition of each sampled frame with and
// without its EL and the verdict. Frames come from a FrameSampleSource (libav in the tool, a fake
// in tests).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dovi/analyze/fel_verdict.h"
#include "common/dovi/compose/planes.h"

namespace mkvfleet::dovi::analyze {

// The RPU of one display-order frame, read without decoding.
struct SampledRpu {
  int64_t frame = 0;                            // the frame found (the one asked for, normally)
  std::optional<std::vector<uint8_t>> payload;  // escaped RPU payload; none when it carries none
};

// One decoded display-order frame of a dual-layer title.
struct DecodedSample {
  int64_t frame = 0;                    // the frame found (the one asked for, normally)
  compose::Frame420 bl;                 // BL codes, 10-bit
  std::optional<compose::Frame420> el;  // EL codes, 10-bit; none when the title has no EL
  std::vector<uint8_t> rpu;             // escaped RPU payload of the same frame
};

// Random access to a title's frames by display-order number. Not required to be thread-safe.
class FrameSampleSource {
 public:
  virtual ~FrameSampleSource() = default;
  // Frames in the title (>= 1).
  virtual int64_t frame_count() const = 0;
  // The RPU of frame `frame` (0 <= frame < frame_count()), without decoding any picture.
  virtual absl::StatusOr<SampledRpu> RpuAt(int64_t frame) = 0;
  // Decodes frame `frame` (BL, EL and RPU). Errors name the frame and what failed.
  virtual absl::StatusOr<DecodedSample> DecodeAt(int64_t frame) = 0;
};

// `samples` display-order frames spread evenly over `frame_count` frames (the middle of each of
// `samples` equal slices), ascending and distinct; all frames when there are fewer.
// REQUIRES: samples >= 1, frame_count >= 0.
std::vector<int64_t> SampleFrames(int64_t frame_count, int samples);

// What analyze reports.
struct TitleAnalysis {
  int64_t frame_count = 0;
  int profile = 0;                      // of the first sampled RPU; 0 without RPUs
  std::optional<std::string> el_type;   // "FEL", "MEL"; none without an EL (or without DV)
  std::optional<FelClass> fel_class;    // none without an EL
  std::vector<int64_t> frames_sampled;  // display-order frame numbers
  bool decoded = false;                 // pictures were decoded (FEL only)
  std::vector<FrameElChange> frames;    // per decoded frame
  ElChange total;                       // over all decoded frames
  std::string reason;                   // one line: why this verdict
};

// Samples `samples` frames of `source`, reads their RPUs and decides: no RPU at all -> not Dolby
// Vision; a profile other than 7 -> no EL; no FEL RPU among them -> `mel`, decided from the NLQ
// without decoding; else each sampled frame is decoded, composed with and without its EL and
// measured, and ClassifyFel decides. Errors: the source's, an RPU that does not parse or cannot
// be composed (naming the frame), an FEL frame without an EL picture.
// REQUIRES: samples >= 1.
absl::StatusOr<TitleAnalysis> AnalyzeTitle(FrameSampleSource& source, int samples);

}  // namespace mkvfleet::dovi::analyze
