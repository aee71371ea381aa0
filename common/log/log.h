// Process-wide logging setup for mkvfleet binaries: spdlog to stderr, one line per event.
//
// Convention (STYLE.md): one line per event with key=value fields after a short verb phrase, e.g.
//   spdlog::info("job claimed job={} agent={} lease_deadline_ms={}", id, agent, deadline);
// Secrets (tokens, keys) are never logged; log the token's presence, not its value.
#pragma once

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "spdlog/common.h"

namespace mkvfleet::log {

// Parses "trace", "debug", "info", "warn"/"warning", "error", "critical", "off" (any case).
// InvalidArgument naming the accepted values otherwise.
absl::StatusOr<spdlog::level::level_enum> ParseLevel(absl::string_view level);

// Makes the default logger write to stderr as "<time> <level> <program>: <message>" at `level`.
// Call once from main before any other thread logs. InvalidArgument for an unknown level.
absl::Status InitLogging(absl::string_view program, absl::string_view level);

}  // namespace mkvfleet::log
