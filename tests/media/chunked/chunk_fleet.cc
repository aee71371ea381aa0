// See chunk_fleet.h.
#include "tests/media/chunked/chunk_fleet.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "catch2/catch.hpp"
#include "tests/media/pipeline/media_fleet.h"
#include "tests/media/pipeline/samples.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Bin(const std::string& rel) { return BinaryDir() + "/" + rel; }

// Quick re-encodes (the tiny ultrafast encodes reach SSIM ~0.95, not the default floor 0.98).
constexpr char kAgentConfig[] = R"([media]
ssim_floor = 0.9
[media.x265.default]
preset = "ultrafast"
crf = 20
)";

constexpr char kCoordinatorConfig[] = R"(lease_seconds = 6
heartbeat_seconds = 1
backoff_base_seconds = 1
backoff_cap_seconds = 2
[chunking]
min_seconds = 1
min_chunk_seconds = 0.5
)";

}  // namespace

ChunkFleet::ChunkFleet() : root_(MakeTempDir("chunked-e2e")) {
  library_ = root_ + "/library";
  out_ = root_ + "/out";
  shared_ = root_ + "/shared";
  for (const std::string& d : {library_, out_, shared_}) fs::create_directories(d);
  const std::string config = root_ + "/coordinator.toml";
  std::ofstream(config) << kCoordinatorConfig;
  const std::string listening = root_ + "/coordinator.out";
  coordinator_ = std::make_unique<Child>(
      std::vector<std::string>{Bin("server/mkv-coordinator"), "--listen", "127.0.0.1:0",
                               "--state-dir", root_ + "/state", "--library", library_,
                               "--output-dir", out_, "--config", config},
      listening);
  MediaFleet::WaitFor("coordinator listening", [&] {
    std::ifstream in(listening);
    std::string line;
    while (std::getline(in, line)) {
      if (auto at = line.find("listening on "); at != std::string::npos) {
        address_ = line.substr(at + 13);
        return true;
      }
    }
    return false;
  });
}

ChunkFleet::~ChunkFleet() {
  StopAllAgents();
  coordinator_.reset();
}

void ChunkFleet::StartAgent(const std::string& name, const std::vector<std::string>& env) {
  const std::string config = absl::StrCat(root_, "/agent-", name, ".toml");
  std::ofstream(config) << kAgentConfig;
  ++starts_;
  agents_[name] = std::make_unique<Child>(
      std::vector<std::string>{Bin("agent/mkv-agent"), "--config", config, "--server", address_,
                               "--name", name, "--work-dir", absl::StrCat(root_, "/work-", name),
                               "--shared-work-dir", shared_, "--pipeline", "media",
                               "--claim-poll-ms", "200"},
      absl::StrCat(root_, "/agent-", name, "-", starts_, ".out"), env);
}

void ChunkFleet::KillAgent(const std::string& name) { agents_.erase(name); }

void ChunkFleet::StopAllAgents() { agents_.clear(); }

json ChunkFleet::Ctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {Bin("ctl/mkvctl"), "--server", address_, "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ToolJson(argv);
}

int64_t ChunkFleet::Enqueue(const std::string& path, const std::string& chunks) {
  json r = Ctl({"enqueue", path, "--plan", "dv-reencode", "--chunks", chunks});
  INFO(r.dump());
  REQUIRE(r.is_array());
  REQUIRE(r.size() == 1);
  REQUIRE(r[0]["outcome"] == "created");
  return r[0]["job_id"].get<int64_t>();
}

json ChunkFleet::WaitDone(int64_t id, int seconds) {
  json job;
  const absl::Time deadline = absl::Now() + absl::Seconds(seconds);
  while (absl::Now() < deadline) {
    job = Ctl({"show", absl::StrCat(id)});
    const std::string s = job["state"];
    if (s == "completed" || s == "skipped" || s == "failed_permanent" || s == "cancelled") {
      return job;
    }
    absl::SleepFor(absl::Milliseconds(300));
  }
  FAIL("job " << id << " did not finish in " << seconds << " s: " << job.dump(1) << "\n"
              << Logs(id));
  return job;
}

std::string ChunkFleet::Logs(int64_t id) {
  std::string text;
  for (const json& line : Ctl({"logs", absl::StrCat(id)})) {
    text += line["source"].get<std::string>() + ": " + line["text"].get<std::string>() + "\n";
  }
  return text;
}

}  // namespace mkvfleet::testing
