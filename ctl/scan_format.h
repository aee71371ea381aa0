// What `mkvctl scan` prints from the Scan stream: a one-line summary, the first refusals with
// their reasons, every file with --verbose, and the --json object. Pure functions over generated
// messages (the verb itself is in scan_command.cc).
//
// JSON contract (keep stable): an object
//   {files, created, duplicate, requeued, refused, would_create, elapsed_ms,
//    refusals: [result...],            every refused file the coordinator sent
//    results: [result...]}             only with --verbose: every file, in scan order
// where each result is EnqueueResultToJson: {path, outcome, job_id (null when none), reason}.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mkvfleet/v1/admin.pb.h"
#include "nlohmann/json.hpp"

namespace mkvfleet::ctl {

// Refusals listed by a quiet scan (the rest are counted).
inline constexpr size_t kScanRefusalsShown = 10;

// The Scan stream gathered: the results received (every file with verbose, else the refusals)
// and the summary from the last message.
struct ScanResults {
  std::vector<v1::EnqueueResult> results;
  v1::ScanSummary summary;
  bool has_summary = false;  // false: the stream ended early (an error)

  void Add(const v1::ScanReply& reply);
  std::vector<v1::EnqueueResult> Refusals() const;
};

// "scanned 3 files in 12 ms: 2 created, 0 duplicate, 0 requeued, 1 refused" (and
// ", N would be created" when a dry run found any).
std::string ScanSummaryLine(const v1::ScanSummary& summary);
// Up to `max_shown` lines "refused PATH: REASON", then "... and N more refused (--verbose lists
// every file)" when `total_refused` is larger; none without refusals.
std::vector<std::string> RefusalLines(const std::vector<v1::EnqueueResult>& refusals,
                                      int64_t total_refused, size_t max_shown);
// Human stdout: with verbose the table of every file (EnqueueTable) first, then the summary line.
std::string ScanText(const ScanResults& scan, bool verbose);
// The --json object described above.
nlohmann::json ScanToJson(const ScanResults& scan, bool verbose);

}  // namespace mkvfleet::ctl
