// Runs `ffmpeg (decode to y4m) | x265 (encode)` over an anonymous pipe, so no raw frames ever
// touch the disk; x265's own output may go to a pipe too. Both children get the step's cancel flag and a timeout; when one of them fails
// the other is stopped. x265's progress lines are parsed and handed to the caller.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/encode/progress_parse.h"
#include "common/process/subprocess.h"

namespace mkvfleet::agent::encode {

struct PipeRequest {
  std::vector<std::string> decode;  // writes y4m to stdout
  std::vector<std::string> encode;  // reads y4m from stdin
  // When >= 0, the encoder's stdout goes here (e.g. a pipe's write end for `x265 --output -`).
  // Owned: closed once the encoder started or could not be started, so the reader sees end of
  // stream when the encoder exits.
  int encode_stdout_fd = -1;
  absl::Duration timeout = absl::Hours(4);
  const std::atomic<bool>* cancel = nullptr;
  std::function<void(const ToolProgress&)> on_progress;  // called on the waiting thread
  // Optional: every line x265 writes to stderr (before progress parsing), on the waiting thread.
  std::function<void(absl::string_view)> on_encode_stderr_line;
};

// How both ended.
struct PipeResult {
  process::ProcessResult decode;
  process::ProcessResult encode;
};

// Starts both and waits for both. The results are returned even when a child failed (inspect
// them); errors only when a child cannot be started (NotFound naming the program, Internal) or
// waited for.
absl::StatusOr<PipeResult> RunDecodeEncodePipe(const PipeRequest& request);

// OK when both succeeded; Cancelled when cancelled; otherwise Internal (retryable) naming the
// failing tool, how it ended and its last stderr lines (x265's failure first: ffmpeg's EPIPE
// is then only a consequence).
absl::Status PipeStatus(const PipeResult& result);

}  // namespace mkvfleet::agent::encode
