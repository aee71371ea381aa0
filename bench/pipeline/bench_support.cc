// pipeline_bench helpers (see the header).
#include "bench/pipeline/bench_support.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "agent/encode/reencode_steps.h"
#include "agent/media/media_pipeline.h"
#include "agent/media/step_support.h"
#include "common/process/subprocess.h"

namespace mkvfleet::bench {
namespace {

double Seconds(const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; }

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

CpuTimes CpuNow() {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  return {Seconds(self.ru_utime) + Seconds(self.ru_stime),
          Seconds(children.ru_utime) + Seconds(children.ru_stime)};
}

int64_t ProcessWriteBytes() {
  std::ifstream in("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return -1;
}

absl::StatusOr<JobRun> RunJob(const std::string& source, const std::string& work,
                              const std::string& plan,
                              const agent::encode::EncodeProfile& profile,
                              bool direct_rewrite) {
  agent::media::MediaSettings settings;
  settings.ssim_floor = 0.5;
  settings.direct_rewrite = direct_rewrite;
  agent::encode::ReencodeOptions options;
  options.profile = profile;
  auto pipeline = agent::media::MakeMediaPipeline(
      settings, agent::encode::MakeReencodePlans(
                    std::make_shared<const agent::media::MediaSettings>(settings), options));
  agent::Task task;
  task.job_id = 1;
  task.source_path = source;
  task.plan_override = plan;
  std::filesystem::create_directories(work);
  std::atomic<bool> cancel{false};
  JobRun run;
  const int64_t written_before = ProcessWriteBytes();
  const absl::Time start = absl::Now();
  for (const auto& step : pipeline->steps()) {
    agent::StepContext::Hooks hooks;
    hooks.report_progress = [](const agent::Progress&) {};
    hooks.log = [](agent::LogLevel, const std::string&) {};
    agent::StepContext ctx(task, "bench", source, work, nullptr, run.steps, &cancel, hooks);
    const absl::Time t0 = absl::Now();
    const CpuTimes c0 = CpuNow();
    absl::StatusOr<agent::StepResult> r = step->Run(ctx);
    run.steps_timing[step->name()] = {absl::ToDoubleSeconds(absl::Now() - t0), CpuNow() - c0};
    if (!r.ok()) return r.status();
    agent::StepRecord rec;
    rec.name = step->name();
    rec.status = agent::StepStatus::kDone;
    rec.checkpoint = r->checkpoint;
    run.steps.push_back(rec);
    if (auto it = r->checkpoint.facts.find(agent::media::kFactBytesWritten);
        it != r->checkpoint.facts.end()) {
      int64_t b = 0;
      if (absl::SimpleAtoi(it->second, &b)) run.bytes_written += b;
    }
    if (r->outcome != agent::StepResult::Outcome::kContinue) {
      run.output = r->output_path;
      break;
    }
  }
  run.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (written_before >= 0) run.kernel_write_bytes = ProcessWriteBytes() - written_before;
  return run;
}

std::string StepTimes(const JobRun& r) {
  std::string out;
  for (const char* name : {"probe", "plan", "rpu", "encode", "mux", "verify", "publish"}) {
    auto it = r.steps_timing.find(name);
    if (it == r.steps_timing.end()) continue;
    const StepTiming& t = it->second;
    if (t.seconds < 0.005) {
      absl::StrAppendFormat(&out, " %s=%.2f", name, t.seconds);
    } else {
      absl::StrAppendFormat(&out, " %s=%.2f(cpu %.2f+%.2f)", name, t.seconds, t.cpu.self,
                            t.cpu.children);
    }
  }
  return out;
}

absl::StatusOr<double> TimeProcess(std::vector<std::string> argv) {
  process::ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = absl::Hours(2);
  absl::StatusOr<process::ProcessResult> r = process::RunProcess(std::move(spec));
  if (!r.ok()) return r.status();
  if (!r->success()) return absl::InternalError(r->Describe() + ": " + r->stderr_tail);
  return absl::ToDoubleSeconds(r->duration);
}

absl::Status DropFromCache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  absl::Status s;
  if (::fsync(fd) != 0) {
    s = Errno("fsync", path);
  } else if (int rc = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED); rc != 0) {
    errno = rc;
    s = Errno("posix_fadvise DONTNEED", path);
  }
  ::close(fd);
  return s;
}

absl::Status WarmCache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  std::unique_ptr<char[]> buf(new char[1 << 20]);
  ssize_t n;
  while ((n = ::read(fd, buf.get(), 1 << 20)) > 0) {
  }
  ::close(fd);
  if (n < 0) return Errno("cannot read", path);
  return absl::OkStatus();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double OrderBalancedRatio(const std::vector<double>& ratios) {
  const size_t n = ratios.size() / 2 * 2;
  double log_sum = 0;
  for (size_t i = 0; i < n; ++i) log_sum += std::log(ratios[i]);
  return std::exp(log_sum / static_cast<double>(n));
}

}  // namespace mkvfleet::bench
