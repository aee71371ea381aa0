// ffprobe's per-frame timestamps and the constant-rate check (see the header).
#include "agent/encode/frame_index.h"

#include <cmath>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

// A flat value without its quotes.
absl::string_view Unquoted(absl::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

// Per frame, as read.
struct FrameTimes {
  std::optional<int64_t> pts;
  std::optional<int64_t> best_effort;
};

// Records "N.field=value" of frames.frame.
absl::Status AddFrameField(absl::string_view key, absl::string_view value,
                           std::vector<FrameTimes>& frames) {
  std::pair<absl::string_view, absl::string_view> nf = absl::StrSplit(key, absl::MaxSplits('.', 1));
  size_t n = 0;
  if (!absl::SimpleAtoi(nf.first, &n)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ffprobe frame list: bad key frames.frame.", key));
  }
  if (n == frames.size()) frames.emplace_back();
  if (n + 1 != frames.size()) {
    return absl::InvalidArgumentError(absl::StrCat("ffprobe frame list: frame ", n, " after frame ",
                                                   frames.size() - 1, " (frames out of order)"));
  }
  int64_t t = 0;
  const bool known = absl::SimpleAtoi(value, &t);  // "N/A" when unknown
  if (nf.second == "pts" && known) frames.back().pts = t;
  if (nf.second == "best_effort_timestamp" && known) frames.back().best_effort = t;
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> FrameIndexArgv(const std::string& ffprobe, const std::string& source,
                                        const std::string& output_file) {
  // clang-format off
  return {ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
          "format=start_time:stream=time_base:frame=pts,best_effort_timestamp", "-of", "flat",
          "-o", output_file, source};
  // clang-format on
}

absl::StatusOr<FrameIndex> ParseFrameIndex(absl::string_view text) {
  FrameIndex index;
  std::vector<FrameTimes> frames;
  bool have_time_base = false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, absl::MaxSplits('=', 1));
    const absl::string_view key = absl::StripAsciiWhitespace(kv.first);
    const absl::string_view value = Unquoted(absl::StripAsciiWhitespace(kv.second));
    absl::string_view rest = key;
    if (absl::ConsumePrefix(&rest, "frames.frame.")) {
      if (absl::StrContains(rest, "side_data")) continue;
      RETURN_IF_ERROR(AddFrameField(rest, value, frames));
    } else if (absl::StartsWith(key, "streams.stream.") && absl::EndsWith(key, ".time_base")) {
      std::pair<absl::string_view, absl::string_view> nd = absl::StrSplit(value, '/');
      have_time_base = absl::SimpleAtoi(nd.first, &index.time_base_num) &&
                       absl::SimpleAtoi(nd.second, &index.time_base_den) &&
                       index.time_base_num > 0 && index.time_base_den > 0;
      if (!have_time_base) {
        return absl::InvalidArgumentError(
            absl::StrCat("ffprobe frame list: time base \"", value, "\" is not N/D"));
      }
    } else if (key == "format.start_time") {
      if (!absl::SimpleAtod(value, &index.start_time_s)) index.start_time_s = 0;  // "N/A"
    }
  }
  if (!have_time_base) {
    return absl::InvalidArgumentError("ffprobe frame list: no video stream time base");
  }
  index.pts.reserve(frames.size());
  for (size_t k = 0; k < frames.size(); ++k) {
    const std::optional<int64_t>& t = frames[k].pts ? frames[k].pts : frames[k].best_effort;
    if (!t) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ffprobe frame list: frame ", k, " has no timestamp (pts and best effort N/A)"));
    }
    index.pts.push_back(*t);
  }
  return index;
}

absl::Status CheckConstantFrameRate(const FrameIndex& index, int64_t fps_num, int64_t fps_den) {
  if (fps_num < 1 || fps_den < 1 || index.time_base_num < 1 || index.time_base_den < 1) {
    return absl::InvalidArgumentError(absl::StrCat("frame rate ", fps_num, "/", fps_den,
                                                   " or time base ", index.time_base_num, "/",
                                                   index.time_base_den, " is not positive"));
  }
  if (index.pts.empty()) {
    return absl::FailedPreconditionError("the decoder returned no video frames");
  }
  const double frame_s = static_cast<double>(fps_den) / static_cast<double>(fps_num);
  const double tick_s =
      static_cast<double>(index.time_base_num) / static_cast<double>(index.time_base_den);
  for (size_t k = 0; k < index.pts.size(); ++k) {
    const double at = static_cast<double>(index.pts[k]) * tick_s;
    const double expected = index.start_time_s + static_cast<double>(k) * frame_s;
    const double off = std::abs(at - expected) / frame_s;
    if (off > kMaxFrameTimeError) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "variable frame rate or offset video: frame %d is at %.3f s, %.2f frame from %.3f s "
          "where %d/%d fps from the file's start puts it; chunked encodes need a constant "
          "frame rate (enqueue it with --chunks 1 to encode it whole)",
          k, at, off, expected, fps_num, fps_den));
    }
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::agent::encode
