// Pure parsers from the JSON the probing tools print into a MediaInfo. No I/O: the probe step
// runs the tools (tool_calls.h) and hands their stdout here; tests feed literal JSON.
// Every error is InvalidArgument naming `file` (the probed file) and the tool whose output was
// unusable.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "agent/media/media_info.h"

namespace mkvfleet::agent::media {

// `ffprobe -show_streams -show_format -show_chapters -of json FILE`: the first video stream
// (codec, size, colour, frame rate, Dolby Vision configuration record, NUMBER_OF_FRAMES or
// nb_frames when given), the container duration, and the duration of each track already listed
// by ApplyMkvmergeIdentify (matched by stream index = track id). Tracks are not added here.
absl::Status ApplyFfprobeStreams(absl::string_view json, const std::string& file, MediaInfo& info);

// `ffprobe -select_streams v:0 -read_intervals %+#1 -show_frames -of json FILE`: HDR10 mastering
// display and content light level side data of the first frame.
absl::Status ApplyFfprobeFirstFrame(absl::string_view json, const std::string& file,
                                    MediaInfo& info);

// `ffprobe -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of json FILE`:
// the exact number of video packets (= frames), replacing any estimate.
absl::Status ApplyFfprobePacketCount(absl::string_view json, const std::string& file,
                                     MediaInfo& info);

// `mkvmerge -J FILE`: container recognition, tracks with their flags and first timestamps,
// chapters, attachments.
// Errors also when mkvmerge did not recognise the file (the message says what it reported).
absl::Status ApplyMkvmergeIdentify(absl::string_view json, const std::string& file,
                                   MediaInfo& info);

}  // namespace mkvfleet::agent::media
