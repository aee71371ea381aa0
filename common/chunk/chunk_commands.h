// The exact decoder and encoder command lines of one chunk, built from the manifest alone, so
// every agent feeds x265 the same frames with the same options whatever its local config
// (chunking.md §2: -ss half a frame early before -i is frame-exact; §4-§5: RPU slice, closed GOP,
// VBV continuity). Pure: the caller runs them (ffmpeg's stdout piped into x265's stdin).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/chunk/manifest.h"

namespace mkvfleet::chunk {

// The time half a frame before frame `frame` (>= 1) at fps_num/fps_den, in seconds with six
// decimals (ffmpeg reads times to the microsecond), computed in integers and rounded to the
// nearest microsecond: frame 80 at 24000/1001 is 79.5 * 1001 / 24000 = 3.3158125 -> "3.315813".
// Half a frame of margin makes the rounding (and MKV's millisecond timestamps) harmless, where a
// seek even 0.4 frame late started one frame late. REQUIRES: frame >= 1, fps_num, fps_den >= 1.
std::string SeekSeconds(int64_t frame, int64_t fps_num, int64_t fps_den);

// ffmpeg argv that writes chunk `index` as y4m to stdout:
//   ffmpeg_path [-ss SeekSeconds(first_frame)] -i source_path -frames:v FRAMES
//     decoder_args... -
// (-ss only when first_frame > 0). `source_path` is the source as this agent sees it.
// Errors: ValidateManifest's; OutOfRange naming the index and chunk count.
absl::StatusOr<std::vector<std::string>> ChunkDecoderArgv(const ChunkManifest& manifest, int index,
                                                          const std::string& ffmpeg_path,
                                                          const std::string& source_path);

// x265 argv that encodes chunk `index` from y4m on stdin:
//   x265_path x265_args... --input - --y4m --frames N --fps NUM/DEN --no-open-gop
//     --repeat-headers --dolby-vision-profile 8.1 --dolby-vision-rpu RPU_SLICE_PATH
//     [--vbv-maxrate M --vbv-bufsize B                 when the manifest has VBV
//      [--vbv-end E --vbv-end-fr-adj A]               on every chunk but the last
//      [--vbv-init I]]                                on every chunk but the first
//     --output OUTPUT_PATH
// Errors: ValidateManifest's; OutOfRange naming the index and chunk count.
absl::StatusOr<std::vector<std::string>> ChunkEncoderArgv(const ChunkManifest& manifest, int index,
                                                          const std::string& x265_path,
                                                          const std::string& rpu_slice_path,
                                                          const std::string& output_path);

}  // namespace mkvfleet::chunk
