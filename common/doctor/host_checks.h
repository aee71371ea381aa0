// Checks of the machine around the tools: free space in the work dir, library roots that are
// really mounted, the clock against the coordinator's, and whether the coordinator answers and
// accepts our token. Each check is a pure function of facts; InspectDir and FreeBytes gather them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/doctor/check_report.h"

namespace mkvfleet::doctor {

// Work-dir free space: below the first an error (a 1080p job cannot finish), below the second a
// warning (a job needs about twice the size of its source; 4K remuxes are 50-80 GB).
inline constexpr int64_t kWorkSpaceErrorBytes = int64_t{2} << 30;
inline constexpr int64_t kWorkSpaceWarnBytes = int64_t{50} << 30;
// Clock skew against the coordinator: above the first a warning (logs and ETAs disagree), above
// the second an error (lease deadlines and job ages shown by each side no longer make sense).
inline constexpr absl::Duration kSkewWarn = absl::Seconds(2);
inline constexpr absl::Duration kSkewError = absl::Seconds(30);

// Bytes available to this user on the filesystem holding `dir`. NotFound naming dir when it
// cannot be inspected.
absl::StatusOr<int64_t> FreeBytes(const std::string& dir);

// `label` names the folder's role ("work dir"); `free_bytes` as FreeBytes returned it.
CheckLine CheckFreeSpace(const std::string& label, const std::string& dir,
                         const absl::StatusOr<int64_t>& free_bytes);

// What InspectDir saw of a library root.
struct DirFacts {
  bool exists = false;
  bool is_dir = false;
  bool readable = false;      // its entries could be listed
  bool empty = true;          // no entries at all (an unmounted mount point looks like this)
  bool marker_found = false;  // the marker file is there (only looked for when one is configured)
  std::string error;          // why it could not be inspected
};
DirFacts InspectDir(const std::string& dir, const std::string& marker);

// Error when the root is missing, not a folder, unreadable, empty, or lacks the configured
// marker; ok otherwise.
CheckLine CheckLibraryRoot(const std::string& dir, const std::string& marker,
                           const DirFacts& facts);

// The coordinator clock minus ours, taking our clock at the middle of the round trip.
absl::Duration EstimateClockSkew(absl::Time sent, absl::Time received, absl::Time server_time);
CheckLine CheckClockSkew(absl::Time sent, absl::Time received, absl::Time server_time);

// Whose token a call carried, for the advice.
enum class TokenRole { kAdmin, kAgent };

// Lines "coordinator" (reachable?) and, when it answered, "token" (accepted?) from the status of
// one authenticated call to `server`. `token_set`: whether a token was sent at all.
std::vector<CheckLine> CheckCoordinatorCall(const std::string& server, TokenRole role,
                                            bool token_set, const absl::Status& call);

}  // namespace mkvfleet::doctor
