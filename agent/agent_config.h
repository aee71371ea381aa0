// The agent's settings, resolved from common/config layers (flags > MKVFLEET_* env > TOML file >
// defaults). Keys (TOML name = env MKVFLEET_<UPPER>):
//   server            coordinator HOST:PORT                     (flag --server)
//   name              unique agent name, e.g. the hostname      (flag --name)
//   work_dir          local folder for per-job temp files       (flag --work-dir)
//   agent_token       bearer token (env MKVFLEET_AGENT_TOKEN); "" = none
//   path_map          list of "COORDINATOR_PREFIX=LOCAL_PREFIX" (env: ':'-separated)
//   shared_work_dir   this agent's path of a folder every agent mounts (flag --shared-work-dir),
//                     "" = none; must be an existing writable directory (CheckSharedWorkDir).
//                     Chunked re-encodes keep their manifests and chunk files there; the
//                     coordinator sees it through path_map, like every other path
//   chunk_stall_seconds  a chunk's tools are killed (and the chunk retried) when x265 reports no
//                     progress for this long (default 600)
//   pipeline          "media" (default), "placeholder", or a test pipeline ("test-sleep") for tests
//   test_step_ms      how long each test-pipeline step sleeps (default 300)
//   claim_poll_ms     pause between claims while idle (default 1000)
//   stop_grace_seconds  on SIGTERM, how long the running step may take to finish before it is
//                     cancelled (default 60; 0 = cancel at once). systemd's TimeoutStopSec must
//                     be larger, or systemd kills the agent before it hands its lease back
//   library_roots     local library folders `mkv-agent --check` inspects (default: the local
//                     sides of path_map)
//   library_marker    a file every library root must contain ("" = none), e.g. ".mkvfleet-library"
//   log_level         spdlog level (default "info")
//   tls, tls_ca_file, tls_server_name   channel security, see common/auth
//   [tools] ffmpeg = "/opt/ffmpeg/bin/ffmpeg", ...   paths instead of a PATH search
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/path_translation.h"
#include "common/config/config_layers.h"

namespace mkvfleet::agent {

// How long a running step may finish after SIGTERM unless stop_grace_seconds says otherwise.
inline constexpr absl::Duration kDefaultStopGrace = absl::Seconds(60);
// How long a chunk's x265 may go without progress unless chunk_stall_seconds says otherwise.
inline constexpr absl::Duration kDefaultChunkStall = absl::Seconds(600);

struct AgentConfig {
  std::string server;
  std::string name;
  std::string work_dir;
  std::string token;  // never logged
  std::vector<PathMapping> path_map;
  std::string shared_work_dir;  // local path, "" = none
  absl::Duration chunk_stall = kDefaultChunkStall;
  std::string pipeline = "media";
  absl::Duration test_step_duration = absl::Milliseconds(300);
  absl::Duration claim_poll_interval = absl::Seconds(1);
  absl::Duration stop_grace = kDefaultStopGrace;
  std::vector<std::string> library_roots;
  std::string library_marker;
  std::string log_level = "info";
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_server_name;
  std::map<std::string, std::string> tool_paths;
};

// Reads every key above. InvalidArgument naming the key and its origin when a value has the wrong
// type, when server, name or work_dir is missing, when path_map is malformed, when
// shared_work_dir is not absolute or chunk_stall_seconds is not positive.
absl::StatusOr<AgentConfig> LoadAgentConfig(const config::ConfigLayers& layers);

// OK when `dir` is "" (no shared work dir) or an existing directory this process can create files
// in (checked by creating and removing a probe file, which also catches read-only mounts).
// FailedPrecondition naming the folder and what to do when it is missing, not a directory or not
// writable.
absl::Status CheckSharedWorkDir(const std::string& dir);

}  // namespace mkvfleet::agent
