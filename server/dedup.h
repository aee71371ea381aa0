// Enqueue dedup: what enqueuing a file means given the latest job for the same path. Pure.
//   no job for the path                -> kCreate
//   latest job has same size and mtime -> kDuplicate (whatever its state; reset revives it)
//   the file changed since             -> kRequeue (a new job)
#pragma once

#include <cstdint>
#include <optional>

#include "server/job_model.h"

namespace mkvfleet::server {

enum class DedupDecision { kCreate, kDuplicate, kRequeue };

DedupDecision DecideEnqueue(const std::optional<Job>& latest_for_path, int64_t size_bytes,
                            int64_t mtime_ms);

}  // namespace mkvfleet::server
