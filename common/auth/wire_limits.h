// gRPC message size limits shared by both ends of every coordinator connection, so a client never
// builds a request the coordinator would refuse and accepts every reply the coordinator may send.
#pragma once

namespace mkvfleet::auth {

// Largest request the coordinator accepts and clients send (gRPC's own default receive limit,
// made explicit): an Enqueue of thousands of paths or an AppendLog batch fits with room to spare.
// A bigger request fails with RESOURCE_EXHAUSTED and changes nothing.
inline constexpr int kMaxRequestMessageBytes = 4 << 20;

// Largest reply the coordinator sends and clients accept: a long job's whole log, a page of jobs
// with their chunks. gRPC's default client limit (4 MiB) made `mkvctl logs` and the dashboard fail
// on a log past 4 MiB.
inline constexpr int kMaxReplyMessageBytes = 64 << 20;

}  // namespace mkvfleet::auth
