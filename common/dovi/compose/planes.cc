// Plane and frame construction and the shape check every composer entry point runs first.
#include "common/dovi/compose/planes.h"

#include "absl/strings/str_cat.h"

namespace mkvfleet::dovi::compose {

Plane16::Plane16(int w, int h, uint16_t fill)
    : width(w), height(h), samples(static_cast<size_t>(w) * static_cast<size_t>(h), fill) {}

Frame420 Frame420::Make(int width, int height, uint16_t luma, uint16_t chroma) {
  Frame420 f;
  f.y = Plane16(width, height, luma);
  f.cb = Plane16(ChromaSize(width), ChromaSize(height), chroma);
  f.cr = Plane16(ChromaSize(width), ChromaSize(height), chroma);
  return f;
}

namespace {

bool Holds(const Plane16& p) {
  return p.width >= 1 && p.height >= 1 &&
         p.samples.size() == static_cast<size_t>(p.width) * static_cast<size_t>(p.height);
}

}  // namespace

absl::Status CheckFrame420(const Frame420& f, absl::string_view what) {
  if (!Holds(f.y) || !Holds(f.cb) || !Holds(f.cr)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": a plane is empty or its sample count does not match its size"));
  }
  const int cw = ChromaSize(f.y.width);
  const int ch = ChromaSize(f.y.height);
  if (f.cb.width != cw || f.cb.height != ch || f.cr.width != cw || f.cr.height != ch) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": chroma planes are ", f.cb.width, "x", f.cb.height, " and ", f.cr.width, "x",
        f.cr.height, ", a 4:2:0 frame of ", f.y.width, "x", f.y.height, " needs ", cw, "x", ch));
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::dovi::compose
