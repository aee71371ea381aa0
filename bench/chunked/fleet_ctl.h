// What chunk_bench asks a coordinator, always through `mkvctl --json` (the same view a user
// gets): agents, enqueue, follow a job to its end (`mkvctl watch --job`, one long-lived process
// instead of a poll loop that would take CPU from the agents being measured), its steps, chunks
// and log. Works the same on the bench's own local fleet and on a real one (--server).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::bench {

// A coordinator as mkvctl reaches it.
struct CtlTarget {
  std::string mkvctl;  // the program
  std::string server;  // HOST:PORT
  // Where `mkvctl watch` writes its output while following a job (<base>-ID.out/.err).
  std::string watch_log_base;
};

// `mkvctl --server S --json ARGS...`, parsed. Errors: Internal with mkvctl's exit and stderr tail
// (e.g. an unreachable coordinator), InvalidArgument when stdout is not JSON, Cancelled.
absl::StatusOr<nlohmann::json> CtlJson(const CtlTarget& t, const std::vector<std::string>& args,
                                       const std::atomic<bool>* cancel = nullptr);

// `mkvctl enqueue PATH --plan dv-reencode --chunks CHUNKS` ("1", "N" or "auto"); the new job's
// id. Errors: FailedPrecondition with the coordinator's reason unless the outcome is "created"
// (a path already done is "duplicate": enqueue a copy under another name).
absl::StatusOr<int64_t> EnqueueReencode(const CtlTarget& t, const std::string& path,
                                        const std::string& chunks,
                                        const std::atomic<bool>* cancel);

// A finished job as mkvctl shows it, with the bench's own clock readings around it.
struct FinishedJob {
  int64_t id = 0;
  nlohmann::json show;        // mkvctl --json show ID (steps, chunks)
  nlohmann::json logs;        // mkvctl --json logs ID
  int64_t enqueued_ms = 0;    // Unix ms just before `mkvctl enqueue` ran (0 = not enqueued here)
  int64_t observed_done_ms = 0;  // Unix ms when the bench saw the job end (0 = not followed)
};

// Follows job `id` until it is completed, skipped, failed_permanent or cancelled, checking
// `alive` (may be empty) every 100 ms, and returns its show + logs. Errors: FailedPrecondition
// when the job did not complete (its error and last log lines) or `alive` fails,
// DeadlineExceeded after `timeout`, Cancelled when `cancel` becomes true.
absl::StatusOr<FinishedJob> FollowJob(const CtlTarget& t, int64_t id, absl::Duration timeout,
                                      const std::function<absl::Status()>& alive,
                                      const std::atomic<bool>* cancel);

// show + logs of a job that ran earlier (external mode: --baseline-job / --chunked-job).
absl::StatusOr<FinishedJob> ReadJob(const CtlTarget& t, int64_t id,
                                    const std::atomic<bool>* cancel);

// "job 7 failed_permanent: <error>" and the last `lines` log lines, for error messages.
std::string DescribeFailure(const FinishedJob& job, int lines = 20);

}  // namespace mkvfleet::bench
