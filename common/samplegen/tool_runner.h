// Runs the external tools of the sample generator through common/process and turns a failure into
// one readable error: which tool, how it ended, and the last lines it printed.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace mkvfleet::samplegen {

// Runs argv (argv[0] looked up in PATH) with stdin and stdout on /dev/null (stdout is captured
// for the error message: mkvmerge prints its errors there). OK when the exit code is in
// ok_exit_codes. Errors: NotFound when the program is missing ("x265 not found: install ..."),
// Internal "<tool> failed (exit 1): <last output lines>", DeadlineExceeded on timeout.
absl::Status RunTool(const std::vector<std::string>& argv, absl::Duration timeout,
                     const std::vector<int>& ok_exit_codes = {0});

// Runs `producer | consumer` (the producer's stdout feeds the consumer's stdin). OK when both
// exit 0; otherwise the error of the consumer if it failed, else the producer's.
absl::Status RunPipeline(const std::vector<std::string>& producer,
                         const std::vector<std::string>& consumer, absl::Duration timeout);

}  // namespace mkvfleet::samplegen
