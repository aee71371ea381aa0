// proto <-> domain for AdminService requests, replies and events.
#pragma once

#include <vector>

#include "mkvfleet/v1/admin.pb.h"
#include "server/library/library_scan.h"
#include "server/store/job_store.h"
#include "server/store/store_events.h"

namespace mkvfleet::server {

void ToProto(const std::vector<EnqueueRecord>& in, v1::EnqueueResponse* out);
JobFilter FromProto(const v1::ListJobsRequest& in);
ScanMode FromProto(v1::ScanMode mode);  // REQUIRES: validated (not UNSPECIFIED)
void ToProto(const StoreEvent& in, v1::Event* out);

}  // namespace mkvfleet::server
