// See bench_daemon.h.
#include "bench/chunked/bench_daemon.h"

#include <deque>
#include <fstream>

#include "absl/strings/str_join.h"

namespace mkvfleet::bench {

absl::StatusOr<std::unique_ptr<BenchDaemon>> BenchDaemon::Start(std::vector<std::string> argv,
                                                                const std::string& log_base,
                                                                std::vector<std::string> env) {
  auto err = std::make_shared<std::ofstream>(log_base + ".err", std::ios::trunc);
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.extra_env = std::move(env);
  spec.stdout_sink.kind = process::StdoutSink::Kind::kFile;
  spec.stdout_sink.path = log_base + ".out";
  spec.timeout = absl::InfiniteDuration();  // the bench watches it and stops it itself
  spec.on_stderr_line = [err](absl::string_view line) {
    *err << line << '\n';
    err->flush();
  };
  absl::StatusOr<std::unique_ptr<process::Subprocess>> proc =
      process::Subprocess::Start(std::move(spec));
  if (!proc.ok()) return proc.status();
  std::unique_ptr<BenchDaemon> d(new BenchDaemon());
  d->log_base_ = log_base;
  d->proc_ = *std::move(proc);
  BenchDaemon* self = d.get();
  d->waiter_ = std::thread([self] {
    absl::StatusOr<process::ProcessResult> r = self->proc_->Wait();
    {
      absl::MutexLock lock(&self->mu_);
      self->result_ = std::move(r);
    }
    self->exited_.store(true);
  });
  return d;
}

BenchDaemon::~BenchDaemon() {
  if (proc_ != nullptr) proc_->Kill();  // a no-op once reaped; Wait() escalates to SIGKILL
  if (waiter_.joinable()) waiter_.join();
}

absl::StatusOr<process::ProcessResult> BenchDaemon::result() const {
  absl::MutexLock lock(&mu_);
  return result_;
}

std::string BenchDaemon::StderrTail(int lines) const {
  std::ifstream in(log_base_ + ".err");
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  return absl::StrJoin(last, "\n");
}

}  // namespace mkvfleet::bench
