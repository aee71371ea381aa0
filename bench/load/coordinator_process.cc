// See coordinator_process.h.
#include "bench/load/coordinator_process.h"

#include <unistd.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace mkvfleet::bench {
namespace {

constexpr absl::Duration kStartLimit = absl::Seconds(60);

std::string Tail(const std::string& path, int lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  return absl::StrJoin(last, "\n");
}

ProcessUsage UsageOf(const std::string& proc_dir) {
  ProcessUsage u;
  std::ifstream status(proc_dir + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") status >> u.vm_hwm_kb;
    if (key == "VmRSS:") status >> u.vm_rss_kb;
  }
  std::ifstream stat(proc_dir + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const size_t close = text.rfind(')');
  if (close != std::string::npos) {
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    int64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoll(field);
      if (i == 15) stime = std::stoll(field);
    }
    u.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return u;
}

}  // namespace

ProcessUsage SelfUsage() { return UsageOf("/proc/self"); }

absl::StatusOr<std::unique_ptr<CoordinatorProcess>> CoordinatorProcess::Start(
    const CoordinatorSetup& setup) {
  namespace fs = std::filesystem;
  for (const char* d : {"/state", "/out"}) {
    std::error_code ec;
    fs::create_directories(setup.run_dir + d, ec);
    if (ec) {
      return absl::InternalError(absl::StrCat("cannot create ", setup.run_dir, d, ": ",
                                              ec.message()));
    }
  }
  const std::string config = setup.run_dir + "/coordinator.toml";
  std::ofstream(config) << "heartbeat_seconds = " << setup.heartbeat_seconds << "\n";
  std::unique_ptr<CoordinatorProcess> c(new CoordinatorProcess());
  c->err_path_ = setup.run_dir + "/coordinator.err";
  const std::string out_path = setup.run_dir + "/coordinator.out";
  auto err = std::make_shared<std::ofstream>(c->err_path_, std::ios::trunc);
  process::ProcessSpec spec;
  spec.argv = {setup.binary, "--listen", "127.0.0.1:0", "--state-dir", setup.run_dir + "/state",
               "--library", setup.library, "--output-dir", setup.run_dir + "/out",
               "--config", config, "--log-level", setup.log_level};
  spec.stdout_sink.kind = process::StdoutSink::Kind::kFile;
  spec.stdout_sink.path = out_path;
  spec.timeout = absl::InfiniteDuration();  // stopped by the destructor
  spec.on_stderr_line = [err](absl::string_view line) { *err << line << '\n'; };
  absl::StatusOr<std::unique_ptr<process::Subprocess>> proc =
      process::Subprocess::Start(std::move(spec));
  if (!proc.ok()) return proc.status();
  c->proc_ = *std::move(proc);
  process::Subprocess* raw = c->proc_.get();
  std::shared_ptr<std::atomic<bool>> exited = c->exited_;
  c->waiter_ = std::thread([raw, exited, err] {
    (void)raw->Wait();
    err->flush();
    exited->store(true);
  });
  const absl::Time limit = absl::Now() + kStartLimit;
  while (c->address_.empty()) {
    std::ifstream in(out_path);
    std::string line;
    while (std::getline(in, line)) {
      if (auto at = line.find("listening on "); at != std::string::npos) {
        c->address_ = line.substr(at + 13);
      }
    }
    if (!c->address_.empty()) break;
    if (absl::Status s = c->CheckAlive(); !s.ok()) return s;
    if (absl::Now() > limit) {
      return absl::DeadlineExceededError(
          absl::StrCat("mkv-coordinator did not listen within ", absl::FormatDuration(kStartLimit),
                       "; its stderr ends with:\n", Tail(c->err_path_, 15)));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return c;
}

CoordinatorProcess::~CoordinatorProcess() {
  if (proc_ != nullptr) proc_->Kill();  // SIGTERM, SIGKILL after the grace; Wait() reaps
  if (waiter_.joinable()) waiter_.join();
}

ProcessUsage CoordinatorProcess::Usage() const {
  return UsageOf(absl::StrCat("/proc/", proc_->pid()));
}

absl::Status CoordinatorProcess::CheckAlive() const {
  if (!exited_->load()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "mkv-coordinator exited; its stderr (", err_path_, ") ends with:\n", Tail(err_path_, 15)));
}

}  // namespace mkvfleet::bench
