// The decoded frames of a source and their timestamps, as ffprobe reports them with the decoder the
// chunks use: a chunk seeks with `ffmpeg -ss` half a frame before its first frame's time computed
// from the frame rate (chunk::SeekSeconds), which lands on the right frame only when every frame
// is within a fraction of a frame of where a constant rate puts it (chunking.md §2). Pure parsing
// and checking; the prepare step runs the tool.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::agent::encode {

// Every decoded frame of the first video stream, in output (display) order.
struct FrameIndex {
  int64_t time_base_num = 0;  // the stream's time base
  int64_t time_base_den = 0;
  double start_time_s = 0;   // the file's start time (ffmpeg's -ss counts from it)
  std::vector<int64_t> pts;  // per frame, in time_base units
};

// ffprobe decoding every frame of the first video stream and writing its timestamps (flat
// format) into `output_file` (a film's list is tens of MB: more than a captured stdout takes):
// ffprobe -v error -select_streams v:0 -show_entries
//   format=start_time:stream=time_base:frame=pts,best_effort_timestamp -of flat -o OUTPUT SOURCE
std::vector<std::string> FrameIndexArgv(const std::string& ffprobe, const std::string& source,
                                        const std::string& output_file);

// Parses FrameIndexArgv's output. A frame whose pts is N/A takes its best_effort_timestamp.
// Errors: InvalidArgument naming what is missing or malformed (no time base, a frame without
// any timestamp, frame numbers with a gap).
absl::StatusOr<FrameIndex> ParseFrameIndex(absl::string_view flat_output);

// How far a frame may be from its constant-rate time, in frames. A seek half a frame early is
// exact while every frame stays within half a frame; a quarter leaves room for MKV's
// millisecond rounding.
inline constexpr double kMaxFrameTimeError = 0.25;

// OK when the index fits a constant rate of fps_num/fps_den: frame k at start_time_s + k / fps
// within kMaxFrameTimeError of a frame, for every k (so frame 0 starts the file).
// Errors: FailedPrecondition naming the first frame off and by how much ("variable frame rate:
// frame 1234 is at 51.468 s, 0.40 frame from 51.426 s where 24000/1001 fps puts it; ...") or an
// empty index; InvalidArgument for a rate that is not positive.
absl::Status CheckConstantFrameRate(const FrameIndex& index, int64_t fps_num, int64_t fps_den);

}  // namespace mkvfleet::agent::encode
