// Path translation between the coordinator's namespace and this agent's mounts: the same NAS share
// may be /mnt/library on the coordinator and /media/nas on one VM. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mkvfleet::agent {

// One prefix pair: coordinator_prefix on the coordinator is local_prefix on this agent.
struct PathMapping {
  std::string coordinator_prefix;  // absolute, no trailing '/' (except "/" itself)
  std::string local_prefix;        // absolute, no trailing '/' (except "/" itself)
};

// Parses config entries "COORDINATOR_PREFIX=LOCAL_PREFIX" (split at the first '='). Trailing '/'
// are dropped. InvalidArgument naming the entry when it has no '=', or a side is empty or relative.
absl::StatusOr<std::vector<PathMapping>> ParsePathMappings(const std::vector<std::string>& entries);

// The local path for a coordinator path: the longest coordinator_prefix that matches whole path
// components ("/mnt/lib" matches "/mnt/lib/a.mkv", not "/mnt/library/a.mkv") is replaced by its
// local_prefix. Unchanged when no mapping matches.
std::string ToLocalPath(absl::string_view coordinator_path, const std::vector<PathMapping>& mappings);

// The inverse: the longest matching local_prefix is replaced by its coordinator_prefix. Unchanged
// when no mapping matches.
std::string ToCoordinatorPath(absl::string_view local_path,
                              const std::vector<PathMapping>& mappings);

}  // namespace mkvfleet::agent
