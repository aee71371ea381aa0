// Process harness for the backbone integration tests (see the header).
#include "tests/integration/backbone/fleet_harness.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "tests/test_paths.h"

namespace mkvfleet::testing {
namespace fs = std::filesystem;
namespace {

// How long the coordinator may take to print its address.
constexpr absl::Duration kStartupWait = absl::Seconds(20);
// Deadline of one mkvctl run.
constexpr absl::Duration kCtlTimeout = absl::Seconds(30);

std::string Bin(const std::string& rel) { return (fs::path(BinaryDir()) / rel).string(); }

}  // namespace

Daemon::Daemon(std::string label, std::vector<std::string> argv, std::vector<std::string> env)
    : label_(std::move(label)) {
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.extra_env = std::move(env);
  spec.timeout = absl::InfiniteDuration();
  spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  auto keep = [this](absl::string_view line) {
    absl::MutexLock lock(&mu_);
    lines_.emplace_back(line);
  };
  spec.on_stdout_line = keep;
  spec.on_stderr_line = keep;
  auto child = process::Subprocess::Start(std::move(spec));
  if (!child.ok()) FAIL("cannot start " << label_ << ": " << child.status().message());
  child_ = std::move(*child);
  pid_ = child_->pid();
  waiter_ = std::thread([this] {
    auto result = child_->Wait();
    absl::MutexLock lock(&mu_);
    exited_ = true;
    exit_code_ = result.ok() ? (result->term_signal ? 128 + result->term_signal : result->exit_code)
                             : -1;
  });
}

Daemon::~Daemon() {
  if (!exited()) kill(-pid_, SIGKILL);
  if (waiter_.joinable()) waiter_.join();
}

void Daemon::Signal(int sig) {
  if (!exited()) kill(-pid_, sig);
}

bool Daemon::exited() {
  absl::MutexLock lock(&mu_);
  return exited_;
}

int Daemon::WaitExit(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&exited_), timeout);
  return exited_ ? exit_code_ : -1;
}

std::string Daemon::Output() {
  absl::MutexLock lock(&mu_);
  return absl::StrJoin(lines_, "\n");
}

std::string Daemon::WaitForLine(const std::string& needle, absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    {
      absl::MutexLock lock(&mu_);
      for (const auto& l : lines_) {
        if (absl::StrContains(l, needle)) return l;
      }
      if (exited_) return "";
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return "";
}

nlohmann::json CtlResult::Json() const {
  auto j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) FAIL("mkvctl output is not JSON (exit " << exit_code << "): " << out << err);
  return j;
}

Fleet::Fleet(Options options) : options_(std::move(options)) {
  root_ = MakeTempDir("mkvfleet-backbone");
  library_ = root_ + "/library ü";
  state_dir_ = root_ + "/state";
  fs::create_directories(library_);
  fs::create_directories(state_dir_);
}

Fleet::~Fleet() {
  agents_.clear();
  coordinator_.reset();
}

void Fleet::StartCoordinator() {
  const std::string listen = address_.empty() ? "127.0.0.1:0" : address_;
  std::vector<std::string> env = {
      absl::StrCat("MKVFLEET_LEASE_SECONDS=", options_.lease_seconds),
      absl::StrCat("MKVFLEET_HEARTBEAT_SECONDS=", options_.heartbeat_seconds),
      absl::StrCat("MKVFLEET_MAX_ATTEMPTS=", options_.max_attempts),
      "MKVFLEET_BACKOFF_BASE_SECONDS=1",
      "MKVFLEET_ADMIN_TOKEN=" + options_.admin_token,
      "MKVFLEET_AGENT_TOKEN=" + options_.agent_token};
  coordinator_ = std::make_unique<Daemon>(
      "mkv-coordinator",
      std::vector<std::string>{Bin("server/mkv-coordinator"), "--listen", listen, "--state-dir",
                               state_dir_, "--library", library_},
      env);
  std::string line = coordinator_->WaitForLine("listening on ", kStartupWait);
  if (line.empty()) FAIL("coordinator did not start:\n" << coordinator_->Output());
  address_ = line.substr(line.find("listening on ") + 13);
}

void Fleet::KillCoordinator() {
  coordinator_->Signal(SIGKILL);
  coordinator_->WaitExit(absl::Seconds(10));
}

Daemon& Fleet::StartAgent(const std::string& name, int step_ms, const std::string& token) {
  agents_.erase(name);  // a restart replaces the old (dead) process
  const std::string work = root_ + "/work-" + name;
  auto d = std::make_unique<Daemon>(
      "mkv-agent " + name,
      std::vector<std::string>{Bin("agent/mkv-agent"), "--server", address_, "--name", name,
                               "--work-dir", work, "--pipeline", "test-sleep", "--test-step-ms",
                               std::to_string(step_ms), "--claim-poll-ms", "200"},
      std::vector<std::string>{"MKVFLEET_AGENT_TOKEN=" +
                               (token == "@fleet" ? options_.agent_token : token)});
  Daemon& ref = *d;
  agents_[name] = std::move(d);
  return ref;
}

void Fleet::KillAgent(const std::string& name) {
  agents_.at(name)->Signal(SIGKILL);
  agents_.at(name)->WaitExit(absl::Seconds(10));
}

std::vector<std::string> Fleet::MakeFiles(const std::string& prefix, int count) {
  std::vector<std::string> paths;
  for (int i = 0; i < count; ++i) {
    std::string p = absl::StrCat(library_, "/", prefix, i < 10 ? "0" : "", i, ".mkv");
    std::ofstream(p) << "not really matroska " << i << "\n";
    paths.push_back(p);
  }
  return paths;
}

CtlResult Fleet::Ctl(const std::vector<std::string>& args, const std::string& token_env) {
  process::ProcessSpec spec;
  spec.argv = {Bin("ctl/mkvctl"), "--server", address_};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.extra_env = {"MKVFLEET_ADMIN_TOKEN=" +
                    (token_env == "@fleet" ? options_.admin_token : token_env)};
  spec.stdout_sink.kind = process::StdoutSink::Kind::kCapture;
  spec.timeout = kCtlTimeout;
  auto r = process::RunProcess(spec);
  if (!r.ok()) FAIL("cannot run mkvctl: " << r.status().message());
  return CtlResult{r->term_signal ? 128 + r->term_signal : r->exit_code, r->stdout_data,
                   r->stderr_tail};
}

nlohmann::json Fleet::Show(int64_t job_id) {
  CtlResult r = Ctl({"--json", "show", std::to_string(job_id)});
  if (r.exit_code != 0) FAIL("mkvctl show " << job_id << " failed: " << r.err);
  return r.Json();
}

nlohmann::json Fleet::List() {
  CtlResult r = Ctl({"list", "--json"});
  if (r.exit_code != 0) FAIL("mkvctl list failed: " << r.err);
  return r.Json();
}

std::vector<std::string> Fleet::LogTexts(int64_t job_id) {
  CtlResult r = Ctl({"--json", "logs", std::to_string(job_id)});
  if (r.exit_code != 0) FAIL("mkvctl logs " << job_id << " failed: " << r.err);
  std::vector<std::string> texts;
  for (const auto& l : r.Json()) texts.push_back(l.value("source", "") + ": " + l.value("text", ""));
  return texts;
}

std::vector<int64_t> Fleet::Enqueue(const std::vector<std::string>& paths) {
  std::vector<std::string> args = {"--json", "enqueue"};
  args.insert(args.end(), paths.begin(), paths.end());
  CtlResult r = Ctl(args);
  if (r.exit_code != 0) FAIL("mkvctl enqueue failed: " << r.err << r.out);
  std::vector<int64_t> ids;
  for (const auto& res : r.Json()) {
    if (res["outcome"] != "created") FAIL("enqueue did not create a job: " << res.dump());
    ids.push_back(res["job_id"].get<int64_t>());
  }
  return ids;
}

void Fleet::WaitFor(const std::string& what, const std::function<bool()>& pred,
                    absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (pred()) return;
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::string agents;
  for (auto& [name, d] : agents_) absl::StrAppend(&agents, "\n--- agent ", name, ":\n", d->Output());
  FAIL("timed out after " << absl::FormatDuration(timeout) << " waiting for: " << what
                          << "\n--- jobs: " << List().dump() << "\n--- coordinator:\n"
                          << (coordinator_ ? coordinator_->Output() : "") << agents);
}

int CountContaining(const std::vector<std::string>& texts, const std::string& needle) {
  int n = 0;
  for (const auto& t : texts) n += absl::StrContains(t, needle) ? 1 : 0;
  return n;
}

}  // namespace mkvfleet::testing
