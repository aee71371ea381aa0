// Makes real test MKVs from scratch: a test pattern encoded by x265 (HDR10, SDR, Dolby Vision 8.1,
// or dual-layer profile 7 MEL/FEL with a half-size enhancement layer), two audio tracks in
// different languages, a subtitle track and chapters, muxed by mkvmerge. Independent tools
// (mkvmerge, ffprobe, mediainfo) recognise the result as what was asked for.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/samplegen/sample_spec.h"

namespace mkvfleet::samplegen {

struct GenerateOptions {
  // Limit for each tool run (x265 at 3840x2160 needs minutes).
  absl::Duration tool_timeout = absl::Minutes(60);
  // Called before each step with a short description ("encode base layer 256x144").
  std::function<void(absl::string_view)> on_step;
};

// Generates `spec` into `out_path` (written under a temporary name in the same folder and renamed
// when complete; scratch files live in a temp folder removed afterwards).
//
// Dual-layer kinds: the BL is a plain HDR10 encode; the EL (half width and height, 10-bit) is
// encoded by x265 with --dolby-vision-profile 8.1 attaching the per-frame profile 7 RPUs, and
// dvstream::Mux interleaves the two (EL NALs wrapped in type 63, the RPU last in each unit).
// mkvmerge derives the Dolby Vision configuration record from the stream. RPU defects
// (spec.drop_rpus, duplicate_rpus) are made last, on the finished stream, by dvstream::InjectRpus
// putting each frame's RPU back 0 or 2 times.
//
// Errors: InvalidArgument for a bad spec, NotFound for a missing tool, Internal/DeadlineExceeded
// naming the tool that failed with its last output lines, and file errors naming the path.
absl::Status GenerateSample(const SampleSpec& spec, const std::string& out_path,
                            const GenerateOptions& options = {});

}  // namespace mkvfleet::samplegen
