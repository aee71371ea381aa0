// proto <-> domain for AdminService requests, replies and events.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "mkvfleet/v1/admin.pb.h"
#include "server/library/library_scan.h"
#include "server/store/job_store.h"
#include "server/store/store_events.h"

namespace mkvfleet::server {

void ToProto(const EnqueueRecord& in, v1::EnqueueResult* out);
void ToProto(const std::vector<EnqueueRecord>& in, v1::EnqueueResponse* out);
// REQUIRES: validated (page_token "" or a job id).
JobFilter FromProto(const v1::ListJobsRequest& in);
// The page's jobs without steps; next_page_token is the cursor's id in decimal ("" at the end).
void ToProto(const JobPage& in, v1::ListJobsResponse* out);
// Counts keyed by JobStateName; unknown names are left out.
void ToProto(const std::map<std::string, int64_t>& counts_by_state, v1::CountJobsResponse* out);
ScanMode FromProto(v1::ScanMode mode);  // REQUIRES: validated (not UNSPECIFIED)
void ToProto(const StoreEvent& in, v1::Event* out);

}  // namespace mkvfleet::server
