// load_bench: many simulated agents against a real mkv-coordinator started from the build dir
// (see docs/benchmarks.md, "Coordinator under load"). Prints per-RPC rate and latency, the
// coordinator's memory and CPU, the correctness ledger, and for --series the points side by side.
// Exit 0 when every point ran and passed its correctness checks, 1 otherwise.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bench/load/library_seed.h"
#include "bench/load/load_options.h"
#include "bench/load/load_report.h"
#include "bench/load/load_run.h"

namespace {

namespace fs = std::filesystem;
using mkvfleet::bench::LoadOptions;

// A fresh folder under $TMPDIR (or /tmp); "" when it cannot be made.
std::string MakeWorkDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp", "/load_bench.XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

int Run(LoadOptions& options) {
  const bool own_dir = options.work_dir.empty();
  if (own_dir) options.work_dir = MakeWorkDir();
  if (options.work_dir.empty()) {
    std::cerr << "load_bench: cannot create a work folder under $TMPDIR" << std::endl;
    return 1;
  }
  struct Cleanup {
    const LoadOptions& o;
    bool own;
    ~Cleanup() {
      if (o.keep || !own) {
        std::cout << "work dir kept: " << o.work_dir << std::endl;
        return;
      }
      std::error_code ec;
      fs::remove_all(o.work_dir, ec);
    }
  } cleanup{options, own_dir};
  mkvfleet::bench::PrintHeader(std::cout, options);
  std::cout << std::flush;
  int most = 0;
  for (int n : options.job_counts) most = std::max(most, n);
  const std::string library = options.work_dir + "/library";
  auto paths = mkvfleet::bench::CreateLibraryFiles(library, most);
  if (!paths.ok()) {
    std::cerr << "load_bench: " << paths.status().message() << std::endl;
    return 1;
  }
  std::vector<mkvfleet::bench::PointResult> points;
  bool failed = false;
  for (int jobs : options.job_counts) {
    const std::string run_dir = absl::StrCat(options.work_dir, "/point-", jobs, "-", points.size());
    std::error_code ec;
    fs::remove_all(run_dir, ec);  // a kept work dir's earlier state: every point starts empty
    auto point = mkvfleet::bench::RunPoint(options, jobs, *paths, library, run_dir);
    if (!point.ok()) {
      std::cerr << "load_bench: " << jobs << " jobs: " << point.status().message() << std::endl;
      return 1;
    }
    mkvfleet::bench::PrintPoint(std::cout, options, *point);
    failed = failed || !point->failures.empty();
    points.push_back(*std::move(point));
  }
  mkvfleet::bench::PrintSeries(std::cout, points);
  std::cout << (failed ? "load_bench: FAIL (correctness)" : "load_bench: PASS") << std::endl;
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::StatusOr<mkvfleet::bench::ParsedOptions> parsed =
      mkvfleet::bench::ParseLoadOptions(argc, argv);
  if (!parsed.ok()) {
    std::cerr << "load_bench: " << parsed.status().message() << std::endl;
    return 2;
  }
  if (parsed->exit_code >= 0) return parsed->exit_code;
  // SIGINT/SIGTERM end the run through the cancel flag, so the coordinator is stopped and the
  // work dir removed (the signals are blocked in every thread; one thread waits for them).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  static std::atomic<bool> cancel{false};
  std::thread([stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    cancel.store(true);
  }).detach();
  LoadOptions options = parsed->options;
  options.cancel = &cancel;
  return Run(options);
}
