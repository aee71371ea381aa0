// What the job store announces after each committed change: a job changed, an agent changed, or
// a job log line was written. The store calls its EventSink after COMMIT, in commit order.
#pragma once

#include <cstdint>
#include <functional>

#include "server/jobs/job_model.h"

namespace mkvfleet::server {

struct StoreEvent {
  enum class Kind { kJobChanged, kAgentChanged, kLog };
  Kind kind = Kind::kJobChanged;
  int64_t time_ms = 0;
  Job job;            // kJobChanged (with steps); for kLog only job.id is set
  AgentRecord agent;  // kAgentChanged
  LogLine log;        // kLog
};

// Receives committed changes. Must not block and must not call back into the store.
using EventSink = std::function<void(const StoreEvent&)>;

}  // namespace mkvfleet::server
