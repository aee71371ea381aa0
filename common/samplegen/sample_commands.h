// The exact command lines of every tool the sample generator runs (ffmpeg test pattern, x265,
// ffmpeg audio, mkvmerge) and the small text side files it muxes (subtitles, chapters). Pure:
// building them does no I/O, so tests check them without running anything.
#pragma once

#include <string>
#include <vector>

#include "common/samplegen/sample_spec.h"

namespace mkvfleet::samplegen {

using Argv = std::vector<std::string>;

// Mastering display (P3-D65 primaries, 1000 / 0.0001 nits) and content light level we stamp on
// every HDR sample, in x265's syntax.
inline constexpr char kMasterDisplay[] =
    "G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)";
inline constexpr char kMaxCll[] = "1000,400";

// ffmpeg writing spec.frame_count() frames of the testsrc2 pattern at width x height as y4m to
// stdout (10-bit 4:2:0 when ten_bit, else 8-bit).
Argv PatternArgs(const SampleSpec& spec, int width, int height, bool ten_bit);

// One x265 encode reading y4m from stdin.
struct X265Layer {
  int width = 0;
  int height = 0;
  bool ten_bit = true;
  // BT.2020 / PQ with mastering display and CLL SEIs; otherwise BT.709 SDR.
  bool hdr = true;
  // When set: --dolby-vision-profile 8.1 --dolby-vision-rpu <path> with VBV; x265 attaches one
  // RPU per frame in display order (it accepts profile 7 RPUs as well).
  std::string rpu_path;
};
Argv X265Args(const SampleSpec& spec, const X265Layer& layer, const std::string& out_hevc);

// ffmpeg making a `seconds` long stereo sine tone at `frequency` Hz, encoded with `codec`
// ("ac3", "flac", ...) into `out`.
Argv ToneArgs(const SampleSpec& spec, int frequency, const std::string& codec,
              const std::string& out);

// One input file of the final mux with its track language and name.
struct MuxTrack {
  std::string path;
  std::string language;  // ISO 639-2, e.g. "eng"
  std::string name;
};
struct MuxInputs {
  std::string video_hevc;  // raw HEVC elementary stream
  std::vector<MuxTrack> audio;
  std::vector<MuxTrack> subtitles;  // SRT files
  std::string chapters;             // OGM-style chapters text file
};
// mkvmerge writing `out` from the inputs; the video gets --default-duration from spec.fps.
Argv MkvmergeArgs(const SampleSpec& spec, const MuxInputs& in, const std::string& out);

// An SRT subtitle file with one cue per second of the sample.
std::string SampleSubtitlesSrt(const SampleSpec& spec);
// OGM chapters: "Opening" at 0 and "Middle" at half the duration.
std::string SampleChaptersOgm(const SampleSpec& spec);

}  // namespace mkvfleet::samplegen
