// The coordinator's settings, read via common/config (flags > MKVFLEET_* env > TOML > defaults).
//
// Keys (TOML top level; env name in brackets; CLI flag where one exists):
//   listen               "HOST:PORT", default 127.0.0.1:7450      [MKVFLEET_LISTEN]   --listen
//   state_dir            folder holding jobs.db (required)        [MKVFLEET_STATE_DIR] --state-dir
//   library_roots        array of library folders                 [MKVFLEET_LIBRARY_ROOTS, ':'-sep]
//                                                                  --library (repeatable)
//   output_dir           publish under here (same relative path); "" = beside the source as
//                        NAME.DV81.mkv                            [MKVFLEET_OUTPUT_DIR]
//                                                                  --output-dir
//   test_file            the file `scan --test-file` enqueues     [MKVFLEET_TEST_FILE]
//   lease_seconds        lease duration, default 60               [MKVFLEET_LEASE_SECONDS]
//   heartbeat_seconds    agent heartbeat interval, default 5      [MKVFLEET_HEARTBEAT_SECONDS]
//   max_attempts         claims before failed_permanent, default 3 [MKVFLEET_MAX_ATTEMPTS]
//   backoff_base_seconds retry backoff base, default 30           [MKVFLEET_BACKOFF_BASE_SECONDS]
//   backoff_cap_seconds  retry backoff cap, default 3600          [MKVFLEET_BACKOFF_CAP_SECONDS]
//   admin_token          required on the admin API when set       [MKVFLEET_ADMIN_TOKEN]
//   agent_token          required on the agent API when set       [MKVFLEET_AGENT_TOKEN]
//   tls_cert_file, tls_key_file  PEM files; both set = TLS        [MKVFLEET_TLS_CERT_FILE,
//                                                                  MKVFLEET_TLS_KEY_FILE]
//   log_level            trace|debug|info|warn|error, default info [MKVFLEET_LOG_LEVEL] --log-level
//   max_event_watchers   WatchEvents streams served at once (mkvctl watch, dashboards), default
//                        64; one more is refused with RESOURCE_EXHAUSTED
//                                                                 [MKVFLEET_MAX_EVENT_WATCHERS]
//   [watch] enabled      watch the library roots and enqueue new .mkv files, default false
//                                                                 [MKVFLEET_WATCH_ENABLED] --watch
//   [watch] settle_seconds  a file is enqueued once its size and mtime stayed the same this
//                        long, default 60                         [MKVFLEET_WATCH_SETTLE_SECONDS]
//   [watch] rescan_seconds  full walk of the roots as a fallback for missed inotify events,
//                        default 600                              [MKVFLEET_WATCH_RESCAN_SECONDS]
//   [library] marker_file  file (relative to each root) that must exist, or the root counts as
//                        unmounted and is not scanned or watched; "" = none (then only a missing
//                        or empty root is refused)                [MKVFLEET_LIBRARY_MARKER_FILE]
//                                                                 --library-marker
//   [policy]             not read: plan policy is set per agent ([media] in the agent's config);
//                        keys found here are listed in ignored_policy_keys and logged at start
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config_layers.h"
#include "server/constants.h"
#include "server/jobs/job_state_machine.h"

namespace mkvfleet::server {

// Watch folders (library/library_watcher.h).
struct WatchSettings {
  bool enabled = false;
  absl::Duration settle = absl::Seconds(60);
  absl::Duration rescan = absl::Minutes(10);
};

struct CoordinatorConfig {
  std::string listen = kDefaultListen;
  std::string state_dir;
  std::vector<std::string> library_roots;
  std::string output_dir;
  std::string test_file;
  JobPolicy policy;
  absl::Duration heartbeat_interval = kDefaultHeartbeatInterval;
  std::string admin_token;
  std::string agent_token;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string log_level = "info";
  int max_event_watchers = kDefaultMaxEventWatchers;
  WatchSettings watch;
  std::string library_marker_file;
  std::vector<std::string> ignored_policy_keys;  // "policy.KEY" found in the file
};

// Reads every key; InvalidArgument naming the key and its origin for a wrongly typed value.
absl::StatusOr<CoordinatorConfig> LoadCoordinatorConfig(const config::ConfigLayers& layers);

// Checks the settings make sense together (state_dir set, heartbeat shorter than the lease,
// watch times positive, marker_file relative without "..",
// max_attempts >= 1, TLS cert and key both or neither, tokens present before listening beyond
// loopback). InvalidArgument/FailedPrecondition with one line saying what to change.
absl::Status ValidateCoordinatorConfig(const CoordinatorConfig& config);

// True for 127.0.0.0/8, ::1 and "localhost" hosts in "HOST:PORT" / "[HOST]:PORT".
bool IsLoopbackListen(const std::string& listen);

}  // namespace mkvfleet::server
