// Whole-file reads and crash-safe writes for the files of a chunked re-encode in the shared work
// dir (manifest, RPU files): other agents read them, so a file is either complete or absent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mkvfleet::agent::encode {

// The bytes of `path`. Errors: Unavailable naming the file when it is missing or unreadable (a
// shared folder may be briefly unmounted; the step is retried).
absl::StatusOr<std::vector<uint8_t>> ReadFileBytes(const std::string& path);

// Writes `bytes` to a temporary name beside `path`, fsyncs it and renames it to `path`
// (replacing it). Errors: Internal naming the file; the temporary is removed.
absl::Status WriteFileAtomically(const std::string& path, absl::Span<const uint8_t> bytes);

}  // namespace mkvfleet::agent::encode
