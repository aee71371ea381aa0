// Folding per-frame L1 values into plot buckets (see the header).
#include "common/plot/brightness_series.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mkvfleet::plot {

BrightnessSeries FoldBrightness(const std::vector<FrameBrightness>& frames, int max_buckets) {
  BrightnessSeries out;
  out.frames = static_cast<int64_t>(frames.size());
  if (frames.empty()) return out;
  const int64_t buckets = std::max<int64_t>(1, std::min<int64_t>(max_buckets, out.frames));
  const int64_t per_bucket = (out.frames + buckets - 1) / buckets;
  double sum_avg = 0;
  for (int64_t first = 0; first < out.frames; first += per_bucket) {
    BrightnessBucket b;
    b.first_frame = first;
    b.frames = std::min(per_bucket, out.frames - first);
    double bucket_sum = 0;
    for (int64_t i = first; i < first + b.frames; ++i) {
      const FrameBrightness& f = frames[i];
      b.max_pq = std::max(b.max_pq, f.max_pq);
      bucket_sum += f.avg_pq;
      if (f.scene_start) ++b.scene_starts;
    }
    b.avg_pq = bucket_sum / b.frames;
    sum_avg += bucket_sum;
    out.peak_max_pq = std::max(out.peak_max_pq, b.max_pq);
    out.scene_starts += b.scene_starts;
    out.buckets.push_back(b);
  }
  out.mean_avg_pq = sum_avg / out.frames;
  return out;
}

namespace {

constexpr absl::string_view kMagic = "brightness/1";

int64_t Tenths(double v) { return static_cast<int64_t>(std::llround(v * 10)); }

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("brightness data: ", what));
}

}  // namespace

std::string EncodeBrightness(const BrightnessSeries& s) {
  const int64_t per = s.buckets.empty() ? 0 : s.buckets.front().frames;
  std::string out = absl::StrCat(kMagic, " ", s.frames, " ", per, " ", s.peak_max_pq, " ",
                                 Tenths(s.mean_avg_pq), " ", s.scene_starts);
  for (const BrightnessBucket& b : s.buckets) {
    absl::StrAppend(&out, " ", b.max_pq, ":", Tenths(b.avg_pq), ":", b.scene_starts);
  }
  return out;
}

absl::StatusOr<BrightnessSeries> DecodeBrightness(absl::string_view text) {
  std::vector<absl::string_view> words = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (words.size() < 6 || words[0] != kMagic) return Bad("not a brightness/1 record");
  BrightnessSeries s;
  int64_t per = 0, mean_x10 = 0, peak = 0;
  if (!absl::SimpleAtoi(words[1], &s.frames) || !absl::SimpleAtoi(words[2], &per) ||
      !absl::SimpleAtoi(words[3], &peak) || !absl::SimpleAtoi(words[4], &mean_x10) ||
      !absl::SimpleAtoi(words[5], &s.scene_starts) || s.frames < 0 || per < 0 || peak < 0 ||
      peak > 65535) {
    return Bad("bad header");
  }
  s.peak_max_pq = static_cast<uint16_t>(peak);
  s.mean_avg_pq = mean_x10 / 10.0;
  const int64_t buckets = static_cast<int64_t>(words.size()) - 6;
  if (per == 0 ? (buckets != 0 || s.frames != 0) : (buckets != (s.frames + per - 1) / per)) {
    return Bad("bucket count does not match the frames");
  }
  for (int64_t i = 0; i < buckets; ++i) {
    std::vector<absl::string_view> f = absl::StrSplit(words[6 + i], ':');
    int64_t max = 0, avg_x10 = 0;
    BrightnessBucket b;
    if (f.size() != 3 || !absl::SimpleAtoi(f[0], &max) || !absl::SimpleAtoi(f[1], &avg_x10) ||
        !absl::SimpleAtoi(f[2], &b.scene_starts) || max < 0 || max > 65535) {
      return Bad(absl::StrCat("bad bucket ", i));
    }
    b.first_frame = i * per;
    b.frames = std::min(per, s.frames - b.first_frame);
    b.max_pq = static_cast<uint16_t>(max);
    b.avg_pq = avg_x10 / 10.0;
    s.buckets.push_back(b);
  }
  return s;
}

}  // namespace mkvfleet::plot
