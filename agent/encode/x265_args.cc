// Re-encode command lines (see the header).
#include "agent/encode/x265_args.h"

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"

namespace mkvfleet::agent::encode {
namespace {

// ffprobe's colour names that x265 accepts under the same spelling.
const std::set<std::string>& KnownPrimaries() {
  static const auto* s = new std::set<std::string>{
      "bt709", "bt470m", "bt470bg", "smpte170m", "smpte240m", "film",
      "bt2020", "smpte428", "smpte431", "smpte432"};
  return *s;
}
const std::set<std::string>& KnownTransfers() {
  static const auto* s = new std::set<std::string>{
      "bt709",     "bt470m",       "bt470bg",   "smpte170m", "smpte240m",
      "linear",    "log100",       "log316",    "iec61966-2-4", "bt1361e",
      "iec61966-2-1", "bt2020-10", "bt2020-12", "smpte2084", "smpte428", "arib-std-b67"};
  return *s;
}
const std::set<std::string>& KnownMatrices() {
  static const auto* s = new std::set<std::string>{
      "gbr", "bt709", "fcc", "bt470bg", "smpte170m", "smpte240m", "ycgco",
      "bt2020nc", "bt2020c", "smpte2085", "chroma-derived-nc", "chroma-derived-c", "ictcp"};
  return *s;
}

// "34000/50000" -> 0.68.
bool ParseFraction(absl::string_view text, double* out) {
  std::pair<absl::string_view, absl::string_view> nd = absl::StrSplit(text, '/');
  double num = 0, den = 1;
  if (!absl::SimpleAtod(nd.first, &num)) return false;
  if (!nd.second.empty() && (!absl::SimpleAtod(nd.second, &den) || den == 0)) return false;
  *out = num / den;
  return true;
}

int64_t Scaled(double v, double units) { return std::llround(v * units); }

bool MoreThan8Bits(const std::string& pix_fmt) {
  return absl::StrContains(pix_fmt, "10") || absl::StrContains(pix_fmt, "12") ||
         absl::StrContains(pix_fmt, "16");
}

}  // namespace

bool IsHdrTransfer(const std::string& t) { return t == "smpte2084" || t == "arib-std-b67"; }

absl::StatusOr<std::string> MasterDisplayArg(const std::string& text) {
  // Parts "X(a,b)" separated by spaces (or not).
  std::map<std::string, std::pair<double, double>> parts;
  absl::string_view rest = text;
  while (!rest.empty()) {
    rest = absl::StripLeadingAsciiWhitespace(rest);
    if (rest.empty()) break;
    const size_t open = rest.find('(');
    const size_t close = rest.find(')');
    if (open == absl::string_view::npos || close == absl::string_view::npos || close < open) {
      return absl::InvalidArgumentError(
          absl::StrCat("mastering display \"", text, "\": expected NAME(x,y) parts"));
    }
    const std::string name(rest.substr(0, open));
    std::pair<absl::string_view, absl::string_view> xy =
        absl::StrSplit(rest.substr(open + 1, close - open - 1), ',');
    double x = 0, y = 0;
    if (!ParseFraction(xy.first, &x) || !ParseFraction(xy.second, &y)) {
      return absl::InvalidArgumentError(
          absl::StrCat("mastering display \"", text, "\": cannot read the values of ", name));
    }
    parts[name] = {x, y};
    rest.remove_prefix(close + 1);
  }
  std::string out;
  for (const char* name : {"G", "B", "R", "WP"}) {
    auto it = parts.find(name);
    if (it == parts.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("mastering display \"", text, "\": no ", name, "(x,y)"));
    }
    absl::StrAppend(&out, name, "(", Scaled(it->second.first, 50000), ",",
                    Scaled(it->second.second, 50000), ")");
  }
  auto l = parts.find("L");
  if (l == parts.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("mastering display \"", text, "\": no L(max,min)"));
  }
  absl::StrAppend(&out, "L(", Scaled(l->second.first, 10000), ",",
                  Scaled(l->second.second, 10000), ")");
  return out;
}

PictureFormat ChoosePictureFormat(const media::MediaInfo& src, bool dolby_vision) {
  const bool hdr = dolby_vision || IsHdrTransfer(src.color_transfer);
  PictureFormat f;
  f.output_depth = hdr || MoreThan8Bits(src.pix_fmt) ? 10 : 8;
  f.pix_fmt = f.output_depth == 10 ? "yuv420p10le" : "yuv420p";
  return f;
}

Argv DecoderGlobalArgs() { return {"-nostdin", "-hide_banner", "-loglevel", "error"}; }

Argv DecoderOutputArgs(const std::string& pix_fmt) {
  return {"-map", "0:v:0",
          "-fps_mode", "passthrough",  // one y4m frame per source frame, no dups/drops
          "-pix_fmt", pix_fmt, "-strict", "-1", "-f", "yuv4mpegpipe"};
}

VbvKbps ChooseVbv(const media::MediaInfo& src, const EncodeProfile& profile, bool dolby_vision) {
  VbvKbps v{profile.vbv_maxrate_kbps, profile.vbv_bufsize_kbps};
  if (dolby_vision) {
    const int automatic = src.width > 1920 ? kDvVbvKbpsUhd : kDvVbvKbpsHd;
    if (v.maxrate == 0) v.maxrate = automatic;
    if (v.bufsize == 0) v.bufsize = v.maxrate;
  }
  return v.enabled() ? v : VbvKbps{};
}

absl::StatusOr<Argv> X265PictureArgs(const media::MediaInfo& src, const EncodeProfile& profile,
                                     bool dolby_vision) {
  const bool hdr = dolby_vision || IsHdrTransfer(src.color_transfer);
  const PictureFormat format = ChoosePictureFormat(src, dolby_vision);
  Argv a = {"--preset", profile.preset, "--crf", absl::StrCat(profile.crf),
            "--output-depth", absl::StrCat(format.output_depth),
            "--profile", format.output_depth == 10 ? "main10" : "main",
            "--range", "limited"};
  if (KnownPrimaries().contains(src.color_primaries)) {
    a.insert(a.end(), {"--colorprim", src.color_primaries});
  }
  if (KnownTransfers().contains(src.color_transfer)) {
    a.insert(a.end(), {"--transfer", src.color_transfer});
  }
  if (KnownMatrices().contains(src.color_space)) {
    a.insert(a.end(), {"--colormatrix", src.color_space});
  }
  if (hdr) {
    if (src.hdr10.mastering_display) {
      ASSIGN_OR_RETURN(std::string md, MasterDisplayArg(src.hdr10.mastering_text));
      a.insert(a.end(), {"--master-display", std::move(md)});
    }
    if (src.hdr10.content_light) {
      a.insert(a.end(),
               {"--max-cll", absl::StrCat(src.hdr10.max_cll, ",", src.hdr10.max_fall)});
    }
    if (src.color_transfer == "smpte2084" || dolby_vision) {
      a.insert(a.end(), {"--hdr10", "--hdr10-opt"});
    }
  }
  return a;
}

absl::StatusOr<Argv> X265CommonArgs(const media::MediaInfo& src, const EncodeProfile& profile,
                                    bool dolby_vision) {
  ASSIGN_OR_RETURN(Argv a, X265PictureArgs(src, profile, dolby_vision));
  a.insert(a.end(), profile.extra_args.begin(), profile.extra_args.end());
  return a;
}

absl::StatusOr<EncodeCommands> BuildEncodeCommands(const media::MediaInfo& src,
                                                   const EncodeProfile& profile,
                                                   const EncodeJob& job) {
  if (src.width <= 0 || src.height <= 0) {
    return absl::InvalidArgumentError("the source's video size is unknown (probe found none)");
  }
  if (src.frame_count <= 0) {
    return absl::InvalidArgumentError("the source's frame count is unknown: cannot encode it");
  }
  const bool dv = !job.rpu_path.empty();
  const PictureFormat format = ChoosePictureFormat(src, dv);
  EncodeCommands c;
  c.output_depth = format.output_depth;
  c.pix_fmt = format.pix_fmt;
  c.decode = {job.ffmpeg};
  const Argv global = DecoderGlobalArgs();
  c.decode.insert(c.decode.end(), global.begin(), global.end());
  c.decode.insert(c.decode.end(), {"-i", job.source_path});
  const Argv output = DecoderOutputArgs(c.pix_fmt);
  c.decode.insert(c.decode.end(), output.begin(), output.end());
  c.decode.push_back("-");

  Argv& a = c.encode;
  a = {job.x265, "--input", "-", "--y4m", "--frames", absl::StrCat(src.frame_count)};
  ASSIGN_OR_RETURN(const Argv picture, X265PictureArgs(src, profile, dv));
  a.insert(a.end(), picture.begin(), picture.end());
  if (dv) a.insert(a.end(), {"--dolby-vision-profile", "8.1", "--dolby-vision-rpu", job.rpu_path});
  if (const VbvKbps vbv = ChooseVbv(src, profile, dv); vbv.enabled()) {
    a.insert(a.end(), {"--vbv-maxrate", absl::StrCat(vbv.maxrate), "--vbv-bufsize",
                       absl::StrCat(vbv.bufsize)});
  }
  a.insert(a.end(), profile.extra_args.begin(), profile.extra_args.end());
  a.insert(a.end(), {"--output", job.output_hevc});
  return c;
}

}  // namespace mkvfleet::agent::encode
