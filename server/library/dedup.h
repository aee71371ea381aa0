// Enqueue dedup: what enqueuing a file means given the latest job for the same path. Pure.
//   no job for the path                -> kCreate
//   latest job has same size and mtime -> kDuplicate (whatever its state; reset revives it)
//   the file changed, latest running   -> kWaitForRunning (refused: a second job would write the
//                                         same output while the first still runs; the next
//                                         scan or watch pass enqueues it once the first ends)
//   the file changed since             -> kRequeue (a new job; a pending/failed old one is
//                                         superseded by the store)
#pragma once

#include <cstdint>
#include <optional>

#include "server/jobs/job_model.h"

namespace mkvfleet::server {

enum class DedupDecision { kCreate, kDuplicate, kWaitForRunning, kRequeue };

DedupDecision DecideEnqueue(const std::optional<Job>& latest_for_path, int64_t size_bytes,
                            int64_t mtime_ms);

}  // namespace mkvfleet::server
