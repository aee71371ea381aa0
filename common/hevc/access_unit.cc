// Access unit boundary detection.
#include "common/hevc/access_unit.h"

#include <utility>

#include "common/hevc/nal_unit.h"

namespace mkvfleet::hevc {

void AccessUnit::Append(absl::Span<const uint8_t> nal, int start_code_size) {
  nals_.push_back(NalRef{data_.size(), nal.size(),
                         static_cast<uint8_t>(nal.empty() ? 0xFF : NalTypeOf(nal)),
                         static_cast<uint8_t>(start_code_size)});
  data_.insert(data_.end(), nal.begin(), nal.end());
}

namespace {
bool IsLayer0(absl::Span<const uint8_t> nal) {
  return nal.size() >= 2 && (nal[0] & 1) == 0 && (nal[1] >> 3) == 0;
}
bool IsFirstSliceOfPicture(absl::Span<const uint8_t> nal) {
  return nal.size() >= 3 && IsVcl(NalTypeOf(nal)) && IsLayer0(nal) && (nal[2] & 0x80);
}
}  // namespace

bool BeginsAccessUnit(absl::Span<const uint8_t> nal, bool current_has_picture) {
  if (nal.empty() || !IsLayer0(nal)) return false;
  const uint8_t t = NalTypeOf(nal);
  if (t == kAud) return true;
  if (!current_has_picture) return false;
  return StartsAccessUnit(t) || IsFirstSliceOfPicture(nal);
}

bool AccessUnitAssembler::Add(absl::Span<const uint8_t> nal, int start_code_size,
                              AccessUnit* done) {
  bool finished = false;
  if (!current_.empty() && BeginsAccessUnit(nal, has_picture_)) {
    std::swap(current_, *done);
    current_.Clear();
    has_picture_ = false;
    finished = true;
  }
  current_.Append(nal, start_code_size);
  if (!nal.empty() && IsVcl(NalTypeOf(nal)) && IsLayer0(nal)) has_picture_ = true;
  return finished;
}

bool AccessUnitAssembler::Finish(AccessUnit* done) {
  if (current_.empty()) return false;
  std::swap(current_, *done);
  current_.Clear();
  has_picture_ = false;
  return true;
}

}  // namespace mkvfleet::hevc
