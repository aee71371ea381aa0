// See local_fleet.h.
#include "bench/chunked/local_fleet.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/chunked/fleet_ctl.h"

namespace mkvfleet::bench {
namespace {

namespace fs = std::filesystem;

constexpr absl::Duration kStartLimit = absl::Seconds(60);
constexpr absl::Duration kStartPoll = absl::Milliseconds(200);

// Polls `ready` until it returns true; errors from it end the wait.
absl::Status WaitUntil(const std::string& what, const std::atomic<bool>* cancel,
                       const std::function<absl::StatusOr<bool>()>& ready) {
  const absl::Time end = absl::Now() + kStartLimit;
  while (true) {
    if (cancel != nullptr && cancel->load()) return absl::CancelledError("interrupted");
    absl::StatusOr<bool> r = ready();
    if (!r.ok()) return r.status();
    if (*r) return absl::OkStatus();
    if (absl::Now() > end) {
      return absl::DeadlineExceededError(
          absl::StrCat("timed out after ", absl::FormatDuration(kStartLimit), " waiting for ", what));
    }
    absl::SleepFor(kStartPoll);
  }
}

absl::Status Ended(const std::string& name, const BenchDaemon& d) {
  absl::StatusOr<process::ProcessResult> r = d.result();
  return absl::FailedPreconditionError(
      absl::StrCat(name, " ended (", r.ok() ? r->Describe() : std::string(r.status().message()),
                   "); its stderr (", d.log_base(), ".err) ends with:\n", d.StderrTail()));
}

}  // namespace

FleetPrograms FleetPrograms::In(const std::string& bin_dir) {
  return {bin_dir + "/server/mkv-coordinator", bin_dir + "/agent/mkv-agent",
          bin_dir + "/ctl/mkvctl"};
}

std::string AgentToml(const AgentSettings& s) {
  return absl::StrFormat(
      "[media]\nssim_floor = %g\n[media.x265.default]\npreset = \"%s\"\ncrf = %g\n"
      "params = \"%s\"\n",
      s.ssim_floor, s.preset, s.crf, s.x265_params);
}

std::string CoordinatorToml() {
  return "lease_seconds = 20\n"
         "heartbeat_seconds = 2\n"
         "backoff_base_seconds = 1\n"
         "backoff_cap_seconds = 2\n"
         "[chunking]\n"
         "min_seconds = 1\n"
         "min_chunk_seconds = 0.5\n";
}

absl::StatusOr<std::unique_ptr<LocalFleet>> LocalFleet::Start(const FleetPrograms& programs,
                                                              const std::string& run_dir,
                                                              const std::string& library,
                                                              const std::atomic<bool>* cancel) {
  std::unique_ptr<LocalFleet> f(new LocalFleet());
  f->programs_ = programs;
  f->run_dir_ = run_dir;
  f->cancel_ = cancel;
  for (const char* d : {"", "/state", "/out", "/shared", "/logs"}) {
    std::error_code ec;
    fs::create_directories(run_dir + d, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", run_dir, d, ": ", ec.message()));
  }
  const std::string config = run_dir + "/coordinator.toml";
  std::ofstream(config) << CoordinatorToml();
  absl::StatusOr<std::unique_ptr<BenchDaemon>> c = BenchDaemon::Start(
      {programs.coordinator, "--listen", "127.0.0.1:0", "--state-dir", run_dir + "/state",
       "--library", library, "--output-dir", run_dir + "/out", "--config", config},
      run_dir + "/logs/coordinator");
  if (!c.ok()) return c.status();
  f->coordinator_ = *std::move(c);
  const std::string out = f->coordinator_->log_base() + ".out";
  absl::Status s = WaitUntil("the coordinator to listen", cancel, [&]() -> absl::StatusOr<bool> {
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      if (auto at = line.find("listening on "); at != std::string::npos) {
        f->address_ = line.substr(at + 13);
        return true;
      }
    }
    if (f->coordinator_->exited()) return Ended("mkv-coordinator", *f->coordinator_);
    return false;
  });
  if (!s.ok()) return s;
  return f;
}

LocalFleet::~LocalFleet() {
  agents_.clear();  // agents first, so none reports to a coordinator already gone
  coordinator_.reset();
}

absl::Status LocalFleet::StartAgent(const std::string& name, int core,
                                    const AgentSettings& settings, bool shared) {
  const std::string config = absl::StrCat(run_dir_, "/agent-", name, ".toml");
  std::ofstream(config) << AgentToml(settings);
  std::vector<std::string> argv = {
      "taskset",   "-c",          absl::StrCat(core),    programs_.agent,
      "--config",  config,        "--server",            address_,
      "--name",    name,          "--work-dir",          absl::StrCat(run_dir_, "/work-", name),
      "--pipeline", "media",      "--claim-poll-ms",     "200",
      "--stop-grace-seconds", "0"};
  if (shared) argv.insert(argv.end(), {"--shared-work-dir", shared_dir()});
  absl::StatusOr<std::unique_ptr<BenchDaemon>> a =
      BenchDaemon::Start(std::move(argv), absl::StrCat(run_dir_, "/logs/agent-", name));
  if (!a.ok()) return a.status();
  agents_.emplace_back(name, *std::move(a));
  return absl::OkStatus();
}

absl::Status LocalFleet::WaitAgentsRegistered() {
  const CtlTarget ctl{programs_.mkvctl, address_, ""};
  return WaitUntil("the agents to register", cancel_, [&]() -> absl::StatusOr<bool> {
    if (absl::Status s = CheckAlive(); !s.ok()) return s;
    absl::StatusOr<nlohmann::json> list = CtlJson(ctl, {"agents"}, cancel_);
    if (!list.ok()) return list.status();
    size_t seen = 0;
    for (const auto& [name, daemon] : agents_) {
      for (const nlohmann::json& a : *list) {
        if (a.value("name", "") == name) ++seen;
      }
    }
    return seen == agents_.size();
  });
}

absl::Status LocalFleet::CheckAlive() const {
  if (coordinator_->exited()) return Ended("mkv-coordinator", *coordinator_);
  for (const auto& [name, daemon] : agents_) {
    if (daemon->exited()) return Ended("agent " + name, *daemon);
  }
  return absl::OkStatus();
}

}  // namespace mkvfleet::bench
