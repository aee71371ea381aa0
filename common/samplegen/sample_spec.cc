// Names, parsing and limits of SampleSpec.
#include "common/samplegen/sample_spec.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mkvfleet::samplegen {
namespace {

constexpr std::array<std::pair<SampleKind, absl::string_view>, 5> kNames = {{
    {SampleKind::kP7Mel, "p7-mel"},
    {SampleKind::kP7Fel, "p7-fel"},
    {SampleKind::kP81, "p8.1"},
    {SampleKind::kHdr10, "hdr10"},
    {SampleKind::kSdr, "sdr"},
}};

constexpr std::array<absl::string_view, 10> kPresets = {
    "ultrafast", "superfast", "veryfast", "faster", "fast",
    "medium",    "slow",      "slower",   "veryslow", "placebo"};

}  // namespace

absl::string_view SampleKindName(SampleKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

absl::StatusOr<SampleKind> ParseSampleKind(absl::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) return k;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown sample kind '", name, "' (expected p7-mel, p7-fel, p8.1, hdr10 or sdr)"));
}

absl::Status ParseFrameSize(absl::string_view text, int& width, int& height) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits('x', 1));
  int w = 0;
  int h = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &w) || !absl::SimpleAtoi(parts[1], &h)) {
    return absl::InvalidArgumentError(
        absl::StrCat("size '", text, "' is not WIDTHxHEIGHT (e.g. 256x144)"));
  }
  width = w;
  height = h;
  return absl::OkStatus();
}

int SampleSpec::RpuCopies(int frame) const {
  auto has = [frame](const std::vector<int>& v) {
    return std::find(v.begin(), v.end(), frame) != v.end();
  };
  return has(drop_rpus) ? 0 : has(duplicate_rpus) ? 2 : 1;
}

namespace {

// The RPU defects: Dolby Vision kinds only, frames within the sample, never dropped and doubled.
absl::Status ValidateRpuDefects(const SampleSpec& s) {
  if (!s.HasRpuDefects()) return absl::OkStatus();
  if (!IsDolbyVision(s.kind)) {
    return absl::InvalidArgumentError(absl::StrCat("RPU defects need a Dolby Vision kind; ",
                                                   SampleKindName(s.kind), " has no RPUs"));
  }
  for (const std::vector<int>* list : {&s.drop_rpus, &s.duplicate_rpus}) {
    for (int f : *list) {
      if (f < 0 || f >= s.frame_count()) {
        return absl::InvalidArgumentError(absl::StrCat("frame ", f, " is outside the sample's ",
                                                       s.frame_count(), " frames (0 .. ",
                                                       s.frame_count() - 1, ")"));
      }
    }
  }
  for (int f : s.drop_rpus) {
    if (std::find(s.duplicate_rpus.begin(), s.duplicate_rpus.end(), f) != s.duplicate_rpus.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("frame ", f, " cannot both lose its RPU and carry it twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSampleSpec(const SampleSpec& s) {
  if (s.width < 64 || s.height < 64 || s.width > 7680 || s.height > 4320) {
    return absl::InvalidArgumentError(absl::StrCat(
        "size ", s.width, "x", s.height, " is outside 64x64 .. 7680x4320"));
  }
  if (s.width % 4 != 0 || s.height % 4 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "size ", s.width, "x", s.height, ": width and height must be multiples of 4"));
  }
  if (s.seconds < 1 || s.seconds > 3600) {
    return absl::InvalidArgumentError(
        absl::StrCat("seconds ", s.seconds, " is outside 1 .. 3600"));
  }
  if (s.fps < 1 || s.fps > 120) {
    return absl::InvalidArgumentError(absl::StrCat("fps ", s.fps, " is outside 1 .. 120"));
  }
  if (s.scene_every < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("scene interval ", s.scene_every, " is negative (0 = one scene)"));
  }
  if (absl::Status st = ValidateRpuDefects(s); !st.ok()) return st;
  for (absl::string_view p : kPresets) {
    if (p == s.x265_preset) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown x265 preset '", s.x265_preset, "'"));
}

}  // namespace mkvfleet::samplegen
