// Annex B start-code scanning. The hot loop jumps from zero byte to zero byte with memchr, since
// NAL payloads rarely hold zeros (emulation prevention keeps 00 00 0x sequences out).
#include "common/hevc/nal_splitter.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mkvfleet::hevc {

absl::Status NalSplitter::Append(absl::Span<const uint8_t> bytes) {
  if (nal_.size() + zeros_ + bytes.size() > max_nal_size_) {
    return absl::ResourceExhaustedError(absl::StrCat("NAL unit near stream offset ", consumed_,
                                                     " is larger than ", max_nal_size_,
                                                     " bytes; not an HEVC Annex B stream?"));
  }
  nal_.insert(nal_.end(), zeros_, 0);
  zeros_ = 0;
  nal_.insert(nal_.end(), bytes.begin(), bytes.end());
  return absl::OkStatus();
}

absl::Status NalSplitter::Emit(Sink sink, uint64_t offset) {
  if (nal_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty NAL unit (two start codes in a row) before stream offset ", offset));
  }
  absl::Status st = sink(AnnexBNal{nal_, start_code_size_});
  nal_.clear();
  return st;
}

absl::Status NalSplitter::Feed(absl::Span<const uint8_t> chunk, Sink sink) {
  const uint8_t* p = chunk.data();
  const uint8_t* const end = p + chunk.size();
  while (p < end) {
    if (zeros_ == 0) {
      // Copy everything up to the next zero byte in one go.
      const void* z = std::memchr(p, 0, end - p);
      const uint8_t* stop = z ? static_cast<const uint8_t*>(z) : end;
      if (stop > p) {
        if (!in_nal_) {
          return absl::InvalidArgumentError(
              absl::StrCat("stream does not begin with an Annex B start code (byte ",
                           consumed_ + (p - chunk.data()), " is not zero)"));
        }
        if (absl::Status st = Append({p, static_cast<size_t>(stop - p)}); !st.ok()) return st;
      }
      p = stop;
      if (p == end) break;
    }
    // At a zero byte or directly after one.
    const uint8_t b = *p;
    if (b == 0) {
      ++zeros_;
      ++p;
      continue;
    }
    if (b == 1 && zeros_ >= 2) {
      const int next_size = zeros_ >= 3 ? 4 : 3;
      zeros_ = 0;  // trailing_zero_8bits of the previous NAL are dropped
      if (in_nal_) {
        if (absl::Status st = Emit(sink, consumed_ + (p - chunk.data())); !st.ok()) return st;
      }
      in_nal_ = true;
      start_code_size_ = next_size;
      ++p;
      continue;
    }
    if (!in_nal_) {
      return absl::InvalidArgumentError(
          absl::StrCat("stream does not begin with an Annex B start code (byte ",
                       consumed_ + (p - chunk.data()), " is not part of one)"));
    }
    if (absl::Status st = Append({p, 1}); !st.ok()) return st;
    ++p;
  }
  consumed_ += chunk.size();
  return absl::OkStatus();
}

absl::Status NalSplitter::Finish(Sink sink) {
  absl::Status st = absl::OkStatus();
  if (in_nal_) st = Emit(sink, consumed_);
  nal_.clear();
  in_nal_ = false;
  zeros_ = 0;
  start_code_size_ = 4;
  return st;
}

}  // namespace mkvfleet::hevc
