// Annex B start-code scanning. NALs that lie wholly inside a chunk are handed out straight from
// the chunk; only a NAL cut by a chunk boundary is copied into the splitter's buffer.
#include "common/hevc/nal_splitter.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace mkvfleet::hevc {
namespace {

constexpr size_t kNotFound = std::string::npos;

// Index of the first 00 00 01 that starts at or after `from`, or kNotFound. Jumps from one 0x01
// byte to the next with memchr (vectorised in libc), then looks back for the two zeros.
size_t FindStartCode(const uint8_t* p, size_t from, size_t n) {
  size_t i = from + 2;  // i is where the 01 would be
  while (i < n) {
    const void* one = std::memchr(p + i, 1, n - i);
    if (one == nullptr) return kNotFound;
    i = static_cast<size_t>(static_cast<const uint8_t*>(one) - p);
    if (p[i - 1] == 0 && p[i - 2] == 0) return i - 2;
    ++i;
  }
  return kNotFound;
}

}  // namespace

absl::Status NalSplitter::EndSegment(absl::Span<const uint8_t> segment, uint64_t offset,
                                     Sink sink) {
  size_t last = segment.size();
  while (last > 0 && segment[last - 1] == 0) --last;  // trailing_zero_8bits and a zero_byte
  if (in_nal_) {
    if (last == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty NAL unit (two start codes in a row) before stream offset ", offset));
    }
    RETURN_IF_ERROR(sink(AnnexBNal{segment.subspan(0, last), start_code_size_}));
  } else if (last != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream does not begin with an Annex B start code (a non-zero byte before ",
                     "stream offset ", offset, ")"));
  }
  in_nal_ = true;
  start_code_size_ = segment.size() > last ? 4 : 3;
  return absl::OkStatus();
}

absl::Status NalSplitter::Keep(absl::Span<const uint8_t> tail, uint64_t offset) {
  buf_.insert(buf_.end(), tail.begin(), tail.end());
  if (!in_nal_) {
    for (uint8_t b : buf_) {
      if (b != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("stream does not begin with an Annex B start code (a non-zero byte ",
                         "before stream offset ", offset, ")"));
      }
    }
    if (buf_.size() > 3) buf_.resize(3);  // three leading zeros are as good as many
  } else if (buf_.size() > max_nal_size_) {
    return absl::ResourceExhaustedError(absl::StrCat("NAL unit before stream offset ", offset,
                                                     " is larger than ", max_nal_size_,
                                                     " bytes; not an HEVC Annex B stream?"));
  }
  return absl::OkStatus();
}

absl::Status NalSplitter::Feed(absl::Span<const uint8_t> chunk, Sink sink) {
  const uint8_t* c = chunk.data();
  const size_t n = chunk.size();
  const uint64_t base = consumed_;
  consumed_ += n;
  size_t pos = 0;  // chunk bytes before pos are dealt with
  if (!buf_.empty()) {
    // The first start code may straddle the boundary, beginning in the last two buffered bytes.
    const size_t b = buf_.size();
    int64_t k;  // where the start code begins, relative to the chunk
    if (b >= 2 && buf_[b - 2] == 0 && buf_[b - 1] == 0 && n >= 1 && c[0] == 1) {
      k = -2;
    } else if (buf_[b - 1] == 0 && n >= 2 && c[0] == 0 && c[1] == 1) {
      k = -1;
    } else {
      const size_t found = FindStartCode(c, 0, n);
      if (found == kNotFound) return Keep(chunk, consumed_);
      k = static_cast<int64_t>(found);
    }
    if (k < 0) {
      buf_.resize(b + k);
    } else {
      buf_.insert(buf_.end(), c, c + k);
    }
    RETURN_IF_ERROR(EndSegment(buf_, base + (k < 0 ? 0 : k), sink));
    buf_.clear();
    pos = static_cast<size_t>(k + 3);
  }
  while (true) {
    const size_t k = FindStartCode(c, pos, n);
    if (k == kNotFound) break;
    RETURN_IF_ERROR(EndSegment({c + pos, k - pos}, base + k, sink));
    pos = k + 3;
  }
  return Keep({c + pos, n - pos}, consumed_);
}

absl::Status NalSplitter::Finish(Sink sink) {
  absl::Status st = absl::OkStatus();
  if (in_nal_) st = EndSegment(buf_, consumed_, sink);
  buf_.clear();
  in_nal_ = false;
  start_code_size_ = 4;
  consumed_ = 0;
  return st;
}

}  // namespace mkvfleet::hevc
