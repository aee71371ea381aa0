// The job table load_bench runs against: J tiny `.mkv` files under a library root (1,000 per
// subfolder) and their jobs, created through AdminService.Enqueue in batches. Enqueue checks only
// the path rules (absolute, inside a library root, a regular file named *.mkv; see
// server/library/library_paths.cc) and dedups by path, size and mtime: it never reads the
// content, so every file holds the same 16 bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace mkvfleet::bench {

// Paths per Enqueue call: the reply carries path, outcome and id per file (~100 bytes), far below
// gRPC's 4 MB default, and the request stays below the coordinator's 10,000-path limit.
inline constexpr int kEnqueueBatch = 2000;

// Creates files 0..count-1 under `root` (existing ones are kept). Returns their paths in order.
// Internal naming the path when a folder or file cannot be written.
absl::StatusOr<std::vector<std::string>> CreateLibraryFiles(const std::string& root, int count);

// What seeding took.
struct SeedResult {
  int64_t created = 0;
  absl::Duration took;
};

// Enqueues `paths` (chunks = 1: never chunk) and checks every one was created as a new job.
// Errors: the RPC's status, or FailedPrecondition naming the first path not created and why.
absl::StatusOr<SeedResult> EnqueueAll(const std::shared_ptr<grpc::Channel>& channel,
                                      const std::vector<std::string>& paths);

}  // namespace mkvfleet::bench
