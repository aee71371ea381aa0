// Named defaults and timeouts of the coordinator, in one place (Mesos-style constants).
#pragma once

#include "absl/time/time.h"

namespace mkvfleet::server {

// A lease not renewed (heartbeat or report) within this expires and the job returns to pending.
inline constexpr absl::Duration kDefaultLeaseDuration = absl::Seconds(60);
// How often agents are told to heartbeat; must stay well below the lease duration.
inline constexpr absl::Duration kDefaultHeartbeatInterval = absl::Seconds(5);
// Claims (attempts) before a failing job becomes failed_permanent.
inline constexpr int kDefaultMaxAttempts = 3;
// Retry backoff after a retryable failure: base * 2^(failures-1), capped, jittered.
inline constexpr absl::Duration kDefaultBackoffBase = absl::Seconds(30);
inline constexpr absl::Duration kDefaultBackoffCap = absl::Hours(1);
// How often the lease reaper looks for expired leases and stale agents.
inline constexpr absl::Duration kReaperInterval = absl::Seconds(1);
// How long SQLite waits on a locked database before failing a statement.
inline constexpr absl::Duration kSqliteBusyTimeout = absl::Seconds(10);
// Events buffered per WatchEvents subscriber; a subscriber that falls this far behind is dropped.
inline constexpr size_t kEventQueueCapacity = 1024;
// Bytes (estimated, event_bus.h ApproximateBytes) buffered per subscriber; one event may be large
// (a chunked job carries up to kMaxChunksPerJob chunks with their errors), so the count alone does
// not bound what a slow watcher makes the coordinator hold. Past this the subscriber is dropped.
inline constexpr size_t kEventQueueMaxBytes = size_t{8} << 20;
// WatchEvents streams served at once (mkvctl watch, the dashboard, scripts); each holds a server
// thread. One more is refused with RESOURCE_EXHAUSTED. Config key max_event_watchers.
inline constexpr int kDefaultMaxEventWatchers = 64;
// Message size limits on both ends: common/auth/wire_limits.h.
// Keepalive pings on idle connections, so a watcher or agent that vanished without closing its
// connection (power loss, partition) is noticed and its stream and thread freed.
inline constexpr absl::Duration kServerKeepaliveTime = absl::Seconds(60);
inline constexpr absl::Duration kServerKeepaliveTimeout = absl::Seconds(20);
// How often a WatchEvents stream wakes up to notice a client that went away.
inline constexpr absl::Duration kWatchPollInterval = absl::Milliseconds(500);
// Longest accepted log line / error text from an agent; longer ones are truncated.
inline constexpr size_t kMaxTextBytes = 16 * 1024;
// The most chunks one re-encode may be split into (a 3-hour film in 20-second chunks).
inline constexpr int kMaxChunksPerJob = 512;
// Default coordinator address: loopback only.
inline constexpr char kDefaultListen[] = "127.0.0.1:7450";

}  // namespace mkvfleet::server
