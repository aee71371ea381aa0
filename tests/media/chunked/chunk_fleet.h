// The harness of the chunked re-encode tests: a real mkv-coordinator with short leases and several
// mkv-agents sharing one work dir (each on its own local work dir), started, SIGKILLed and
// restarted one by one, with extra environment (the agents' test hooks); mkvctl for observation.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/media/pipeline/daemon_child.h"

namespace mkvfleet::testing {

class ChunkFleet {
 public:
  // Starts the coordinator ([chunking] min_seconds = 1, lease 6 s, heartbeat 1 s).
  ChunkFleet();
  ~ChunkFleet();

  const std::string& library() const { return library_; }
  const std::string& out() const { return out_; }
  const std::string& shared() const { return shared_; }

  // Starts agent `name` with the shared work dir and quick x265 settings; `env` adds
  // "NAME=VALUE" entries (e.g. MKVFLEET_TEST_CHUNK_PAUSE_MS=3000).
  void StartAgent(const std::string& name, const std::vector<std::string>& env = {});
  // SIGKILLs agent `name` (its ffmpeg/x265 die with its process group).
  void KillAgent(const std::string& name);
  void StopAllAgents();

  nlohmann::json Ctl(const std::vector<std::string>& args);
  // mkvctl enqueue PATH --plan dv-reencode --chunks CHUNKS; REQUIREs a created job.
  int64_t Enqueue(const std::string& path, const std::string& chunks);
  // Waits (up to `seconds`) for a terminal state; returns mkvctl --json show.
  nlohmann::json WaitDone(int64_t id, int seconds = 240);
  std::string Logs(int64_t id);

 private:
  std::string root_, library_, out_, shared_, address_;
  std::unique_ptr<Child> coordinator_;
  std::map<std::string, std::unique_ptr<Child>> agents_;
  int starts_ = 0;
};

}  // namespace mkvfleet::testing
