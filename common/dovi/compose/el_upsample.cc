// The two separable passes of the EL upsampler, each a copy (ratio 1) or a 2x filter (ratio 2).
#include "common/dovi/compose/el_upsample.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mkvfleet::dovi::compose {
namespace {

// 1 or 2 when `out` samples come from `in` by copying or by doubling; 0 otherwise.
int Ratio(int in, int out) {
  if (out == in) return 1;
  if (out == 2 * in || out == 2 * in - 1) return 2;
  return 0;
}

inline int ClampIndex(int i, int n) { return std::clamp(i, 0, n - 1); }

// Vertical 2x pass: output row `oy` from the column samples of `in` (clamped rows).
void VerticalRow(const Plane16& in, PlaneKind kind, int oy, int max_value, uint16_t* out) {
  const int n = oy / 2;
  const bool odd = (oy & 1) != 0;
  const int h = in.height;
  if (kind == PlaneKind::kLuma) {
    // even 2n: (-3, 29, 111, -9) over n-2 .. n+1; odd 2n+1: (-9, 111, 29, -3) over n-1 .. n+2.
    static constexpr int kEven[4] = {-3, 29, 111, -9};
    static constexpr int kOdd[4] = {-9, 111, 29, -3};
    const int* taps = odd ? kOdd : kEven;
    const int first = odd ? n - 1 : n - 2;
    const uint16_t* rows[4];
    for (int t = 0; t < 4; ++t) rows[t] = in.row(ClampIndex(first + t, h));
    for (int x = 0; x < in.width; ++x) {
      const int v = (taps[0] * rows[0][x] + taps[1] * rows[1][x] + taps[2] * rows[2][x] +
                     taps[3] * rows[3][x] + 64) >>
                    7;
      out[x] = static_cast<uint16_t>(std::clamp(v, 0, max_value));
    }
  } else {
    // even 2n: (1, 3)/4 over n-1, n; odd 2n+1: (3, 1)/4 over n, n+1.
    const uint16_t* a = in.row(ClampIndex(odd ? n : n - 1, h));
    const uint16_t* b = in.row(ClampIndex(odd ? n + 1 : n, h));
    const int wa = odd ? 3 : 1;
    const int wb = odd ? 1 : 3;
    for (int x = 0; x < in.width; ++x) {
      const int v = (wa * a[x] + wb * b[x] + 2) >> 2;
      out[x] = static_cast<uint16_t>(std::min(v, max_value));
    }
  }
}

// Horizontal 2x pass over one row of `in_width` samples into `out_width` samples: output 2n
// copies input n, output 2n + 1 is the 8-tap filter over inputs n-3 .. n+4.
void HorizontalRow(const uint16_t* in, int in_width, int out_width, int max_value, uint16_t* out) {
  static constexpr int kTaps[8] = {22, 94, -524, 2456, 2456, -524, 94, 22};
  const auto odd_clamped = [&](int n) {
    int acc = 2048;
    for (int t = 0; t < 8; ++t) acc += kTaps[t] * in[ClampIndex(n - 3 + t, in_width)];
    return static_cast<uint16_t>(std::clamp(acc >> 12, 0, max_value));
  };
  const int pairs = out_width / 2;  // outputs 2n and 2n + 1 for n < pairs
  // Inputs n-3 .. n+4 all exist for 3 <= n < in_width - 4: no clamping there.
  const int inner_begin = std::min(3, pairs);
  const int inner_end = std::max(inner_begin, std::min(pairs, in_width - 4));
  for (int n = 0; n < inner_begin; ++n) {
    out[2 * n] = static_cast<uint16_t>(std::min<int>(in[n], max_value));
    out[2 * n + 1] = odd_clamped(n);
  }
  for (int n = inner_begin; n < inner_end; ++n) {
    const uint16_t* x = in + n - 3;
    const int acc =
        22 * (x[0] + x[7]) + 94 * (x[1] + x[6]) - 524 * (x[2] + x[5]) + 2456 * (x[3] + x[4]) + 2048;
    out[2 * n] = static_cast<uint16_t>(std::min<int>(in[n], max_value));
    out[2 * n + 1] = static_cast<uint16_t>(std::clamp(acc >> 12, 0, max_value));
  }
  for (int n = inner_end; n < pairs; ++n) {
    out[2 * n] = static_cast<uint16_t>(std::min<int>(in[n], max_value));
    out[2 * n + 1] = odd_clamped(n);
  }
  if (out_width % 2 != 0) {
    out[out_width - 1] = static_cast<uint16_t>(std::min<int>(in[pairs], max_value));
  }
}

}  // namespace

absl::StatusOr<Plane16> UpsampleElPlane(const Plane16& in, PlaneKind kind, int out_width,
                                        int out_height, int max_value) {
  const int rx = Ratio(in.width, out_width);
  const int ry = Ratio(in.height, out_height);
  if (in.width < 1 || in.height < 1 || rx == 0 || ry == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "compose: cannot bring an EL plane of ", in.width, "x", in.height, " to ", out_width, "x",
        out_height, " (each axis must be the same size or half of it)"));
  }
  if (rx == 1 && ry == 1) return in;
  Plane16 out(out_width, out_height);
  std::vector<uint16_t> vertical(static_cast<size_t>(in.width));
  for (int oy = 0; oy < out_height; ++oy) {
    const uint16_t* src = in.row(oy);
    if (ry == 2) {
      VerticalRow(in, kind, oy, max_value, vertical.data());
      src = vertical.data();
    }
    if (rx == 2) {
      HorizontalRow(src, in.width, out_width, max_value, out.row(oy));
    } else {
      std::copy(src, src + in.width, out.row(oy));
    }
  }
  return out;
}

}  // namespace mkvfleet::dovi::compose
