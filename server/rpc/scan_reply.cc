// Scan results batched into ScanReply messages.
#include "server/rpc/scan_reply.h"

#include <algorithm>

#include "server/rpc/admin_convert.h"

namespace mkvfleet::server {

v1::ScanSummary SummarizeScan(const std::vector<EnqueueRecord>& records, int64_t elapsed_ms) {
  v1::ScanSummary s;
  s.set_files(static_cast<int64_t>(records.size()));
  s.set_elapsed_ms(elapsed_ms);
  for (const EnqueueRecord& r : records) {
    switch (r.outcome) {
      case EnqueueOutcome::kCreated:
        s.set_created(s.created() + 1);
        break;
      case EnqueueOutcome::kDuplicate:
        s.set_duplicate(s.duplicate() + 1);
        break;
      case EnqueueOutcome::kRequeued:
        s.set_requeued(s.requeued() + 1);
        break;
      case EnqueueOutcome::kRefused:
        s.set_refused(s.refused() + 1);
        break;
      case EnqueueOutcome::kWouldCreate:
        s.set_would_create(s.would_create() + 1);
        break;
    }
  }
  return s;
}

bool WriteScanReplies(const std::vector<EnqueueRecord>& records, bool verbose,
                      const v1::ScanSummary& summary, size_t batch_size,
                      const std::function<bool(const v1::ScanReply&)>& write) {
  batch_size = std::max<size_t>(batch_size, 1);
  v1::ScanReply reply;
  for (const EnqueueRecord& r : records) {
    if (!verbose && r.outcome != EnqueueOutcome::kRefused) continue;
    if (static_cast<size_t>(reply.results_size()) == batch_size) {
      if (!write(reply)) return false;
      reply.Clear();
    }
    ToProto(r, reply.add_results());
  }
  *reply.mutable_summary() = summary;
  return write(reply);
}

}  // namespace mkvfleet::server
