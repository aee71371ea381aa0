// Command lines and side files of the sample generator.
#include "common/samplegen/sample_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mkvfleet::samplegen {
namespace {

// VBV cap for the Dolby Vision encodes (x265 requires VBV with --dolby-vision-profile).
int VbvKbps(const X265Layer& layer) { return layer.width > 1920 ? 60000 : 20000; }

std::string Timestamp(int64_t ms, char frac_sep) {
  return absl::StrFormat("%02d:%02d:%02d%c%03d", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
                         frac_sep, ms % 1000);
}

}  // namespace

Argv PatternArgs(const SampleSpec& spec, int width, int height, bool ten_bit) {
  return {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
          "-f", "lavfi",
          "-i", absl::StrCat("testsrc2=size=", width, "x", height, ":rate=", spec.fps),
          "-frames:v", absl::StrCat(spec.frame_count()),
          "-pix_fmt", ten_bit ? "yuv420p10le" : "yuv420p",
          "-strict", "-1", "-f", "yuv4mpegpipe", "-"};
}

Argv X265Args(const SampleSpec& spec, const X265Layer& layer, const std::string& out_hevc) {
  Argv a = {"x265", "--input", "-", "--y4m", "--log-level", "warning", "--no-progress",
            "--preset", spec.x265_preset,
            "--output-depth", layer.ten_bit ? "10" : "8",
            "--frames", absl::StrCat(spec.frame_count()),
            // One-second GOPs with B-frames: several IDR periods and reordering, as on discs.
            "--keyint", absl::StrCat(spec.fps), "--min-keyint", absl::StrCat(spec.fps),
            "--bframes", "3", "--repeat-headers", "--aud"};
  if (layer.hdr) {
    a.insert(a.end(), {"--colorprim", "bt2020", "--transfer", "smpte2084", "--colormatrix",
                       "bt2020nc", "--range", "limited", "--hdr10", "--master-display",
                       kMasterDisplay, "--max-cll", kMaxCll});
  } else {
    a.insert(a.end(), {"--colorprim", "bt709", "--transfer", "bt709", "--colormatrix", "bt709",
                       "--range", "limited"});
  }
  if (!layer.rpu_path.empty()) {
    std::string vbv = absl::StrCat(VbvKbps(layer));
    a.insert(a.end(), {"--dolby-vision-profile", "8.1", "--dolby-vision-rpu", layer.rpu_path,
                       "--vbv-bufsize", vbv, "--vbv-maxrate", vbv});
  }
  a.insert(a.end(), {"--output", out_hevc});
  return a;
}

Argv ToneArgs(const SampleSpec& spec, int frequency, const std::string& codec,
              const std::string& out) {
  return {"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
          "-f", "lavfi",
          "-i", absl::StrCat("sine=frequency=", frequency, ":sample_rate=48000:duration=",
                             spec.seconds),
          "-ac", "2", "-c:a", codec, out};
}

Argv MkvmergeArgs(const SampleSpec& spec, const MuxInputs& in, const std::string& out) {
  Argv a = {"mkvmerge", "--output", out,
            "--title", absl::StrCat("mkvfleet sample ", SampleKindName(spec.kind)),
            "--chapters", in.chapters,
            "--language", "0:und", "--track-name", "0:Video",
            "--default-duration", absl::StrCat("0:", spec.fps, "p"), in.video_hevc};
  auto add = [&a](const MuxTrack& t) {
    a.insert(a.end(), {"--language", "0:" + t.language, "--track-name", "0:" + t.name, t.path});
  };
  for (const MuxTrack& t : in.audio) add(t);
  for (const MuxTrack& t : in.subtitles) add(t);
  return a;
}

std::string SampleSubtitlesSrt(const SampleSpec& spec) {
  std::string srt;
  for (int s = 0; s < spec.seconds; ++s) {
    absl::StrAppend(&srt, s + 1, "\n", Timestamp(s * 1000LL, ','), " --> ",
                    Timestamp(s * 1000LL + 900, ','), "\nmkvfleet sample ",
                    SampleKindName(spec.kind), ", second ", s + 1, "\n\n");
  }
  return srt;
}

std::string SampleChaptersOgm(const SampleSpec& spec) {
  return absl::StrCat("CHAPTER01=", Timestamp(0, '.'), "\nCHAPTER01NAME=Opening\n",
                      "CHAPTER02=", Timestamp(spec.seconds * 500LL, '.'),
                      "\nCHAPTER02NAME=Middle\n");
}

}  // namespace mkvfleet::samplegen
