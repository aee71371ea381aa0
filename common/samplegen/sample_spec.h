// What test sample to generate: the kind (Dolby Vision profile 7 MEL/FEL, profile 8.1, HDR10,
// SDR), the picture size, duration and frame rate. Parsing and validation of the user's choices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::samplegen {

enum class SampleKind {
  kP7Mel,  // dual layer, profile 7, minimal enhancement layer RPUs (mel_orig.bin)
  kP7Fel,  // dual layer, profile 7, full enhancement layer RPUs (fel_orig.bin)
  kP81,    // single layer, profile 8.1 (HDR10-compatible BL, profile8.bin)
  kHdr10,  // HDR10 only: BT.2020 / PQ, mastering display and content light level
  kSdr,    // SDR: BT.709, 8-bit
};

// "p7-mel", "p7-fel", "p8.1", "hdr10", "sdr".
absl::string_view SampleKindName(SampleKind kind);
// Inverse of SampleKindName. Errors: InvalidArgument listing the valid names.
absl::StatusOr<SampleKind> ParseSampleKind(absl::string_view name);

inline bool IsDolbyVision(SampleKind k) {
  return k == SampleKind::kP7Mel || k == SampleKind::kP7Fel || k == SampleKind::kP81;
}
inline bool IsDualLayer(SampleKind k) { return k == SampleKind::kP7Mel || k == SampleKind::kP7Fel; }
inline bool IsHdr(SampleKind k) { return k != SampleKind::kSdr; }

struct SampleSpec {
  SampleKind kind = SampleKind::kP81;
  int width = 256;
  int height = 144;
  int seconds = 2;
  int fps = 24;
  // x265 --preset; fast presets keep tests and 4K benchmark inputs quick.
  std::string x265_preset = "ultrafast";
  // A Dolby Vision scene starts every `scene_every` frames (frames 0, N, 2N, ...: their RPUs
  // have scene_refresh_flag set, as chunked re-encodes cut there); 0 = only frame 0.
  int scene_every = 0;
  // Defects of real rips, Dolby Vision kinds only (frame numbers in display order): these frames
  // carry no RPU / carry their RPU twice.
  std::vector<int> drop_rpus;
  std::vector<int> duplicate_rpus;

  bool HasRpuDefects() const { return !drop_rpus.empty() || !duplicate_rpus.empty(); }
  // How many copies of its RPU frame `frame` carries: 0 dropped, 2 duplicated, else 1.
  int RpuCopies(int frame) const;
  int frame_count() const { return seconds * fps; }
  bool IsSceneStart(int frame) const {
    return frame == 0 || (scene_every > 0 && frame % scene_every == 0);
  }
  // The enhancement layer of dual-layer kinds: half width, half height.
  int el_width() const { return width / 2; }
  int el_height() const { return height / 2; }
};

// Parses "WxH" (e.g. "3840x2160"). Errors: InvalidArgument naming the text.
absl::Status ParseFrameSize(absl::string_view text, int& width, int& height);

// Checks the limits the encoders and the half-size EL need: width and height multiples of 4
// (so the EL is still 4:2:0), 64x64 .. 7680x4320, 1..3600 seconds, 1..120 fps, a known preset,
// scene_every >= 0, RPU defects only on Dolby Vision kinds and on frames that exist, no frame both
// dropped and duplicated.
// Errors: InvalidArgument saying which value is wrong and what is allowed.
absl::Status ValidateSampleSpec(const SampleSpec& spec);

}  // namespace mkvfleet::samplegen
