// The end-to-end harness of the pipeline media tests: a real mkv-coordinator (with --output-dir)
// and one mkv-agent running the media pipeline, restartable with another [media] config; mkvctl
// for every observation; and the checks of an output by independent tools (mkvmerge -J, ffprobe,
// mediainfo).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace mkvfleet::testing {

class Child;  // daemon_child.h

// Not thread-safe; one per test process (see Fleet()).
class MediaFleet {
 public:
  MediaFleet();
  ~MediaFleet();

  const std::string& library() const { return library_; }
  const std::string& out() const { return out_; }
  // The coordinator's address, for mkvctl runs without --json.
  const std::string& address() const { return address_; }
  // The agent's --work-dir (per-job folders live in its jobs/).
  std::string work() const { return root_ + "/work"; }

  // Runs the agent with `media_toml` as the body of its [media] table ("" = defaults), restarting
  // it (SIGKILL, so only while it holds no job) when the config differs from the running one.
  void UseAgentConfig(const std::string& media_toml);
  // SIGKILLs the agent (if running) / starts it with the last config.
  void StopAgent();
  void StartAgent();
  // False when the agent would read a chmod 000 file anyway: run as root without setpriv to
  // drop the capabilities that bypass file permissions.
  static bool AgentHonoursPermissions();

  nlohmann::json Ctl(const std::vector<std::string>& args);
  // mkvctl enqueue (optionally --plan, then `extra` options); REQUIREs one created job and
  // returns its id.
  int64_t Enqueue(const std::string& path, const std::string& plan = "",
                  const std::vector<std::string>& extra = {});
  // Waits for a terminal state; returns mkvctl --json show.
  nlohmann::json WaitDone(int64_t id);
  // The job's log lines (mkvctl --json logs), as one text.
  std::string Logs(int64_t id);

  // Polls `pred` every 200 ms for up to 90 s; FAILs naming `what` on timeout.
  static void WaitFor(const std::string& what, const std::function<bool()>& pred);

 private:
  std::string root_, library_, out_, address_;
  std::string agent_config_;
  int agent_starts_ = 0;
  std::unique_ptr<Child> coordinator_, agent_;
};

// The process-wide fleet: started on first use, stopped (agent and coordinator killed) at exit.
MediaFleet& Fleet();

// True when neither `dest` nor any ".part" file is in its folder.
bool NothingAt(const std::string& dest);

// What an output must show to the independent tools.
struct ExpectedOutput {
  bool dolby_vision_81 = true;  // DV record profile 8, compatibility 1, no EL; else no DV at all
  bool hdr10 = true;            // PQ transfer and mastering display metadata; else BT.709
  int64_t frames = 48;
  std::vector<std::string> audio_languages = {"eng", "fre"};
  std::vector<std::string> subtitle_languages = {"eng"};
  int chapters = 2;
};
// Checks `path` with mkvmerge -J, ffprobe and mediainfo (CHECKs, so every mismatch is reported).
void CheckOutput(const std::string& path, const ExpectedOutput& expected);

}  // namespace mkvfleet::testing
