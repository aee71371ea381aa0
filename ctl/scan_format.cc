// mkvctl scan output (see the header for the JSON contract).
#include "ctl/scan_format.h"

#include "absl/strings/str_cat.h"
#include "ctl/output_format.h"

namespace mkvfleet::ctl {

void ScanResults::Add(const v1::ScanReply& reply) {
  results.insert(results.end(), reply.results().begin(), reply.results().end());
  if (reply.has_summary()) {
    summary = reply.summary();
    has_summary = true;
  }
}

std::vector<v1::EnqueueResult> ScanResults::Refusals() const {
  std::vector<v1::EnqueueResult> out;
  for (const auto& r : results) {
    if (r.outcome() == v1::ENQUEUE_OUTCOME_REFUSED) out.push_back(r);
  }
  return out;
}

std::string ScanSummaryLine(const v1::ScanSummary& s) {
  std::string line =
      absl::StrCat("scanned ", s.files(), s.files() == 1 ? " file" : " files", " in ",
                   s.elapsed_ms(), " ms: ", s.created(), " created, ", s.duplicate(),
                   " duplicate, ", s.requeued(), " requeued, ", s.refused(), " refused");
  if (s.would_create() > 0) absl::StrAppend(&line, ", ", s.would_create(), " would be created");
  return line;
}

std::vector<std::string> RefusalLines(const std::vector<v1::EnqueueResult>& refusals,
                                      int64_t total_refused, size_t max_shown) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < refusals.size() && i < max_shown; ++i) {
    lines.push_back(absl::StrCat("refused ", refusals[i].path(), ": ", refusals[i].reason()));
  }
  const int64_t shown = static_cast<int64_t>(lines.size());
  if (total_refused > shown) {
    lines.push_back(absl::StrCat("... and ", total_refused - shown,
                                 " more refused (--verbose lists every file)"));
  }
  return lines;
}

std::string ScanText(const ScanResults& scan, bool verbose) {
  std::string out;
  if (verbose) out = EnqueueTable(scan.results);
  absl::StrAppend(&out, ScanSummaryLine(scan.summary), "\n");
  return out;
}

nlohmann::json ScanToJson(const ScanResults& scan, bool verbose) {
  const v1::ScanSummary& s = scan.summary;
  nlohmann::json j = {{"files", s.files()},           {"created", s.created()},
                      {"duplicate", s.duplicate()},   {"requeued", s.requeued()},
                      {"refused", s.refused()},       {"would_create", s.would_create()},
                      {"elapsed_ms", s.elapsed_ms()}, {"refusals", nlohmann::json::array()}};
  for (const auto& r : scan.Refusals()) j["refusals"].push_back(EnqueueResultToJson(r));
  if (verbose) {
    j["results"] = nlohmann::json::array();
    for (const auto& r : scan.results) j["results"].push_back(EnqueueResultToJson(r));
  }
  return j;
}

}  // namespace mkvfleet::ctl
