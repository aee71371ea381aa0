// A scan's results as the messages of the AdminService.Scan stream: bounded batches of results
// (every file's when verbose, else only the refusals) and the summary on the last message, so no
// library size reaches a gRPC message limit. Pure: the handler hands each message to its writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "mkvfleet/v1/admin.pb.h"
#include "server/store/job_store.h"

namespace mkvfleet::server {

// Results per ScanReply message (ScanReply.results documents this bound).
inline constexpr size_t kScanReplyBatch = 1000;

// Counts of `records` per outcome; files = records.size().
v1::ScanSummary SummarizeScan(const std::vector<EnqueueRecord>& records, int64_t elapsed_ms);

// Calls `write` with each message in order: the selected results (all with `verbose`, else the
// refused ones) in their order, at most `batch_size` (>= 1) per message, the last message also
// carrying `summary` (a message with only the summary when nothing is selected). Returns false as
// soon as `write` does (the client went away), true once the summary was written.
bool WriteScanReplies(const std::vector<EnqueueRecord>& records, bool verbose,
                      const v1::ScanSummary& summary, size_t batch_size,
                      const std::function<bool(const v1::ScanReply&)>& write);

}  // namespace mkvfleet::server
