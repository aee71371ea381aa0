// Picture planes for the Dolby Vision composer: a plain owning plane of 16-bit samples and a 4:2:0
// frame made of three of them. Value types only; no I/O, no pixel format conversions.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::dovi::compose {

// One plane of unsigned samples, row-major, stride == width. The bit depth is not stored: the
// code that fills a plane and the code that reads it agree on it (BL 10, EL 10, VDR 12 bits).
struct Plane16 {
  int width = 0;
  int height = 0;
  std::vector<uint16_t> samples;

  Plane16() = default;
  // A width x height plane with every sample `fill`. REQUIRES: width, height >= 0.
  Plane16(int width, int height, uint16_t fill = 0);

  uint16_t* row(int y) { return samples.data() + static_cast<size_t>(y) * width; }
  const uint16_t* row(int y) const { return samples.data() + static_cast<size_t>(y) * width; }
  uint16_t& at(int x, int y) { return row(y)[x]; }
  uint16_t at(int x, int y) const { return row(y)[x]; }

  bool operator==(const Plane16&) const = default;
};

// A 4:2:0 picture: luma width x height, both chroma planes ceil(width/2) x ceil(height/2),
// chroma sited as the source says (the composer only assumes the BL and EL agree on it).
struct Frame420 {
  Plane16 y;
  Plane16 cb;
  Plane16 cr;

  // A frame of the given luma size with every luma sample `luma` and every chroma sample
  // `chroma`. REQUIRES: width, height >= 1.
  static Frame420 Make(int width, int height, uint16_t luma = 0, uint16_t chroma = 0);

  int width() const { return y.width; }
  int height() const { return y.height; }

  bool operator==(const Frame420&) const = default;
};

// The chroma size of a 4:2:0 frame with `luma` samples along one axis.
inline int ChromaSize(int luma) { return (luma + 1) / 2; }

// OK when `frame` is a non-empty 4:2:0 frame whose planes hold exactly width*height samples and
// whose chroma planes are ChromaSize() of the luma; InvalidArgument naming `what` otherwise.
absl::Status CheckFrame420(const Frame420& frame, absl::string_view what);

}  // namespace mkvfleet::dovi::compose
