// Gathers a MediaInfo for a file by running the independent tools (ffprobe, mkvmerge -J) and our
// own first-RPU check, logging each tool run (argv, exit, duration, stderr tail) to the job log.
// Used on the source by the probe step and on the output by the verify step.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/media/media_info.h"
#include "agent/media/media_settings.h"
#include "agent/pipeline.h"
#include "common/process/subprocess.h"

namespace mkvfleet::agent::media {

// Runs one tool with stdout captured, logging the call to the job log. A non-zero exit is not
// an error here (inspect the result). Errors: Unavailable when the tool is missing on this agent
// (another agent may have it), Cancelled, Internal.
absl::StatusOr<process::ProcessResult> RunLoggedTool(const StepContext& ctx,
                                                     const std::vector<std::string>& argv,
                                                     absl::Duration timeout);

struct ProbeOptions {
  bool count_packets = false;  // exact frame count with ffprobe -count_packets (reads the file)
  bool count_if_unknown = true;  // count_packets when the header gives no frame count
  bool first_rpus = true;      // our own first-RPU check
};

// Errors: NotFound (missing file), InvalidArgument naming the file for anything that is not a
// readable Matroska file (zero bytes, text, truncated header), tool errors as above.
absl::StatusOr<MediaInfo> ProbeMedia(const StepContext& ctx, const MediaSettings& settings,
                                     const std::string& path, const ProbeOptions& options);

}  // namespace mkvfleet::agent::media
